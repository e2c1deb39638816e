package schedule

import (
	"context"
	"errors"
	"fmt"
)

// DataRoles chooses the PostgreSQL data role a delivery runs as when an
// access file is in use (ACCESS_FILE): the role of the channel it posts
// in, which the schedule's creator must be allowed.
type DataRoles interface {
	// ForChannel returns the role and a querier connected as it; an error
	// wrapping ErrRoleRefused means the creator may not use the role.
	ForChannel(ctx context.Context, channelID, creatorID string) (role string, db Querier, err error)
}

// ErrRoleRefused means a schedule's creator may not see what its
// channel's data role reads: the delivery fails with a note to them.
var ErrRoleRefused = errors.New("the schedule's creator is not allowed the channel's data role")

// querier returns the querier and data role a schedule's delivery runs
// as; refused is the creator's note when the role is not theirs.
func (s *Service) querier(ctx context.Context, sch Schedule) (db Querier, role, refused string, err error) {
	if s.roles == nil {
		return s.db, "", "", nil
	}
	role, db, err = s.roles.ForChannel(ctx, sch.ChannelID, sch.CreatorID)
	if errors.Is(err, ErrRoleRefused) {
		return nil, role, fmt.Sprintf("you may not see what this channel's data role %s reads, so I cannot post its answers there", role), nil
	}
	if err != nil {
		return nil, "", "", fmt.Errorf("choose the data role of a delivery: %w", err)
	}
	return db, role, "", nil
}
