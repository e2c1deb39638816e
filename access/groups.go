package access

import (
	"context"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// SlackGroups reads user groups' members with usergroups.users.list and
// keeps each answer for a while, so that rules cost one Slack call per
// group and TTL, not one per question.
type SlackGroups struct {
	client *slack.Client
	ttl    time.Duration
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]cachedGroup
}

type cachedGroup struct {
	members []string
	at      time.Time
}

// NewSlackGroups caches members for ttl (5 minutes when ttl is 0).
func NewSlackGroups(client *slack.Client, ttl time.Duration) *SlackGroups {
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	return &SlackGroups{client: client, ttl: ttl, now: time.Now, cache: map[string]cachedGroup{}}
}

// Members returns the group's members, from the cache while it is fresh.
func (g *SlackGroups) Members(ctx context.Context, group string) ([]string, error) {
	g.mu.Lock()
	c, ok := g.cache[group]
	g.mu.Unlock()
	if ok && g.now().Sub(c.at) < g.ttl {
		return c.members, nil
	}
	members, err := g.client.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		// Fail closed: a membership older than the TTL may have been
		// revoked, and access must not outlive it.
		return nil, err
	}
	g.mu.Lock()
	g.cache[group] = cachedGroup{members: members, at: g.now()}
	g.mu.Unlock()
	return members, nil
}
