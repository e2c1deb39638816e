package schedule_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/analytics-bot/analytics-bot/schedule"
)

// channelRoles gives each channel a data role; creators not in allowed
// are refused it. Queries run on the fixture's read-only role and are
// counted per role.
type channelRoles struct {
	db      schedule.Querier
	roles   map[string]string
	allowed map[string]bool

	mu   sync.Mutex
	asks []string // channel/creator of each call
}

func (c *channelRoles) ForChannel(_ context.Context, channel, creator string) (string, schedule.Querier, error) {
	c.mu.Lock()
	c.asks = append(c.asks, channel+"/"+creator)
	c.mu.Unlock()
	role := c.roles[channel]
	if !c.allowed[creator] {
		return role, nil, fmt.Errorf("%w: %s", schedule.ErrRoleRefused, creator)
	}
	return role, c.db, nil
}

func TestDeliveryRunsAsTheChannelsDataRole(t *testing.T) {
	t.Parallel()
	f := setup(t)
	roles := &channelRoles{db: f.ro, roles: map[string]string{"C100": "analytics_eu"}, allowed: map[string]bool{"UCREATOR": true}}
	in := f.start(t, func(o *schedule.Options) { o.Roles = roles })
	sch := f.create(t, in, "SELECT 3 AS n", mondayNine, schedule.Condition{})
	f.clock.Set(sch.NextRunAt)
	tick(t, in)
	waitJobs(t, 1, in)
	if len(posts(f.slack, "C100")) != 1 {
		t.Fatalf("posts = %d, want the delivery", len(posts(f.slack, "C100")))
	}
	if len(roles.asks) != 1 || roles.asks[0] != "C100/UCREATOR" {
		t.Errorf("roles asked %v, want the channel and the creator once", roles.asks)
	}
	var role string
	if err := f.db.Pool.QueryRow(t.Context(), "SELECT coalesce(data_role, '') FROM analytics_bot.query_history").Scan(&role); err != nil {
		t.Fatal(err)
	}
	if role != "analytics_eu" {
		t.Errorf("query_history.data_role = %q, want analytics_eu", role)
	}
}

func TestDeliveryOfACreatorNotAllowedTheChannelsRoleFailsWithANote(t *testing.T) {
	t.Parallel()
	f := setup(t)
	roles := &channelRoles{db: f.ro, roles: map[string]string{"C100": "analytics_eu"}, allowed: map[string]bool{}}
	in := f.start(t, func(o *schedule.Options) { o.Roles = roles })
	sch := f.create(t, in, "SELECT 3 AS n", mondayNine, schedule.Condition{})
	f.clock.Set(sch.NextRunAt)
	tick(t, in)
	waitJobs(t, 1, in)
	if n := len(posts(f.slack, "C100")); n != 0 {
		t.Errorf("the refused delivery posted %d messages in its channel", n)
	}
	notes := posts(f.slack, "UCREATOR")
	if len(notes) != 1 || !strings.Contains(notes[0].Text, "data role analytics_eu") {
		t.Fatalf("creator notes = %+v, want one naming the data role", notes)
	}
	var status string
	if err := f.db.Pool.QueryRow(t.Context(), "SELECT status FROM analytics_bot.query_history").Scan(&status); err != nil || status != "delivery_failed" {
		t.Errorf("history status = %q, %v", status, err)
	}
}
