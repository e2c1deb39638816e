package access

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/analytics-bot/analytics-bot/history"
)

// Asker is who asks a question, and where.
type Asker struct {
	ChannelID string
	UserID    string
}

// direct reports whether the question comes from a direct message with
// the bot (Slack's IDs of DM channels start with D).
func (a Asker) direct() bool { return strings.HasPrefix(a.ChannelID, "D") }

// GroupMembers lists the members of a Slack user group.
type GroupMembers interface {
	Members(ctx context.Context, group string) ([]string, error)
}

// Policy applies an access file's rules.
type Policy struct {
	file   *File
	groups GroupMembers
}

// NewPolicy returns the policy of f; groups resolves user groups and may
// be nil when no rule names one.
func NewPolicy(f *File, groups GroupMembers) *Policy {
	return &Policy{file: f, groups: groups}
}

// Default is the role of everyone no rule names.
func (p *Policy) Default() string { return p.file.Default }

// File is the access file the policy applies.
func (p *Policy) File() *File { return p.file }

// Decision is the data role a question runs as and whether the asker may
// use it.
type Decision struct {
	// Role is the PostgreSQL login role the question runs as.
	Role string
	// Allowed is false when the channel's role is not one the asker's
	// rules allow: the question is not answered there.
	Allowed bool
	// Channel is true when the channel's rule chose the role.
	Channel bool
}

// Decide chooses the role for a question. In a channel the channel's rule
// decides (the default role when none names the channel) and the asker
// must be allowed that role; in a direct message the asker's own rule
// applies.
func (p *Policy) Decide(ctx context.Context, a Asker) (Decision, error) {
	if a.direct() {
		role, err := p.userRole(ctx, a.UserID)
		return Decision{Role: role, Allowed: true}, err
	}
	role := p.channelRole(a.ChannelID)
	ok, err := p.Allows(ctx, a.UserID, role)
	return Decision{Role: role, Allowed: ok, Channel: true}, err
}

// Allows reports whether user may see what role may read. A role that no
// rule with users or user groups names is open to everyone (the default
// role, or a regional channel's role such as analytics_eu); a role that
// such rules name is kept to the users they name and their groups' members.
func (p *Policy) Allows(ctx context.Context, user, role string) (bool, error) {
	if _, _, open := p.file.Askers(role); open {
		return true, nil
	}
	for _, r := range p.file.Rules {
		if r.Role != role {
			continue
		}
		match, err := p.namesUser(ctx, r, user)
		if err != nil || match {
			return match, err
		}
	}
	return false, nil
}

// channelRole is the role of the first rule naming the channel, or the
// default.
func (p *Policy) channelRole(channel string) string {
	for _, r := range p.file.Rules {
		if slices.Contains(r.Channels, channel) {
			return r.Role
		}
	}
	return p.file.Default
}

// userRole is the role of the first rule naming the user or one of their
// user groups, or the default.
func (p *Policy) userRole(ctx context.Context, user string) (string, error) {
	for _, r := range p.file.Rules {
		match, err := p.namesUser(ctx, r, user)
		if err != nil {
			return "", err
		}
		if match {
			return r.Role, nil
		}
	}
	return p.file.Default, nil
}

func (p *Policy) namesUser(ctx context.Context, r Rule, user string) (bool, error) {
	if user == "" {
		return false, nil
	}
	if slices.Contains(r.Users, user) {
		return true, nil
	}
	for _, g := range r.Usergroups {
		if p.groups == nil {
			return false, fmt.Errorf("access rule on line %d names user group %s, but no Slack client resolves user groups", r.Line, g)
		}
		members, err := p.groups.Members(ctx, g)
		if err != nil {
			return false, fmt.Errorf("read members of user group %s: %w", g, err)
		}
		if slices.Contains(members, user) {
			return true, nil
		}
	}
	return false, nil
}

// ThreadRoles finds the data role a thread's first answer used;
// *history.Store is one.
type ThreadRoles interface {
	ThreadRole(ctx context.Context, c history.Conversation) (string, error)
}

// Resolve chooses the data role of a conversation's work: the role of the
// thread's first answer when it had one (follow-ups, show SQL and export
// csv stay with it), else the policy's decision. Either way the asker must
// be allowed the role.
func (p *Policy) Resolve(ctx context.Context, threads ThreadRoles, conv history.Conversation) (Decision, error) {
	role, err := threads.ThreadRole(ctx, conv)
	if err != nil {
		return Decision{}, err
	}
	if role != "" && p.knows(role) {
		ok, err := p.Allows(ctx, conv.UserID, role)
		return Decision{Role: role, Allowed: ok, Channel: !(Asker{ChannelID: conv.ChannelID}).direct()}, err
	}
	return p.Decide(ctx, Asker{ChannelID: conv.ChannelID, UserID: conv.UserID})
}

// knows reports whether role is the default or a listed data role.
func (p *Policy) knows(role string) bool {
	if role == p.file.Default {
		return true
	}
	_, ok := p.file.RoleNamed(role)
	return ok
}
