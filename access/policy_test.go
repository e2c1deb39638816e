package access_test

import (
	"context"
	"errors"
	"testing"

	"github.com/analytics-bot/analytics-bot/access"
	"github.com/analytics-bot/analytics-bot/history"
)

const policyFile = `roles:
  - name: finance
    schemas: [public, finance]
  - name: eu
    schemas: [public]
    tables: [public.app_metrics]
rules:
  - channels: [CFIN]
    role: finance
  - users: [UCFO]
    usergroups: [SFIN]
    role: finance
  - channels: [CEU]
    users: [UEU]
    role: eu
`

// groups is user groups by ID; a group missing from it fails like Slack.
type groups map[string][]string

func (g groups) Members(_ context.Context, id string) ([]string, error) {
	m, ok := g[id]
	if !ok {
		return nil, errors.New("no_such_subteam")
	}
	return m, nil
}

func newPolicy(t testing.TB, g access.GroupMembers) *access.Policy {
	t.Helper()
	f, err := access.Parse("access.yaml", []byte(policyFile), "readonly", "owner")
	if err != nil {
		t.Fatal(err)
	}
	return access.NewPolicy(f, g)
}

func TestDecide(t *testing.T) {
	t.Parallel()
	p := newPolicy(t, groups{"SFIN": {"UANALYST"}})
	for _, tc := range []struct {
		name    string
		asker   access.Asker
		role    string
		allowed bool
	}{
		{"channel rule, named user", access.Asker{ChannelID: "CFIN", UserID: "UCFO"}, "finance", true},
		{"channel rule, user group member", access.Asker{ChannelID: "CFIN", UserID: "UANALYST"}, "finance", true},
		{"channel rule, asker not allowed", access.Asker{ChannelID: "CFIN", UserID: "UEU"}, "finance", false},
		{"unlisted channel is the default for anyone", access.Asker{ChannelID: "CGEN", UserID: "UCFO"}, "readonly", true},
		{"the channel decides, not the asker's wider role", access.Asker{ChannelID: "CEU", UserID: "UEU"}, "eu", true},
		{"a finance user in the eu channel is not allowed eu", access.Asker{ChannelID: "CEU", UserID: "UCFO"}, "eu", false},
		{"DM: the user's rule", access.Asker{ChannelID: "D1", UserID: "UCFO"}, "finance", true},
		{"DM: the user's group", access.Asker{ChannelID: "D1", UserID: "UANALYST"}, "finance", true},
		{"DM: a rule naming channels and the user", access.Asker{ChannelID: "D1", UserID: "UEU"}, "eu", true},
		{"DM: nobody in particular", access.Asker{ChannelID: "D1", UserID: "UNOBODY"}, "readonly", true},
		{"channel rule, no user", access.Asker{ChannelID: "CFIN"}, "finance", false},
	} {
		d, err := p.Decide(context.Background(), tc.asker)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d.Role != tc.role || d.Allowed != tc.allowed {
			t.Errorf("%s: role %q allowed %v, want %q %v", tc.name, d.Role, d.Allowed, tc.role, tc.allowed)
		}
		if d.Channel == (tc.asker.ChannelID[0] == 'D') {
			t.Errorf("%s: Channel = %v", tc.name, d.Channel)
		}
	}
}

// TestDecideOpenChannelRole: a channel's role that no rule with users or
// user groups names (INTERFACE.md's analytics_eu example) answers every
// asker in that channel.
func TestDecideOpenChannelRole(t *testing.T) {
	t.Parallel()
	file := "roles:\n  - name: analytics_eu\n    schemas: [public]\nrules:\n  - channels: [C0EUROPE01]\n    role: analytics_eu\n"
	f, err := access.Parse("access.yaml", []byte(file), "readonly", "owner")
	if err != nil {
		t.Fatal(err)
	}
	d, err := access.NewPolicy(f, nil).Decide(context.Background(), access.Asker{ChannelID: "C0EUROPE01", UserID: "UANYONE"})
	if err != nil || d.Role != "analytics_eu" || !d.Allowed {
		t.Errorf("decision %+v (%v), want analytics_eu allowed", d, err)
	}
}

func TestDecideFailsClosedWhenAGroupCannotBeRead(t *testing.T) {
	t.Parallel()
	p := newPolicy(t, groups{}) // SFIN unknown: Slack answers an error
	if _, err := p.Decide(context.Background(), access.Asker{ChannelID: "CFIN", UserID: "UANALYST"}); err == nil {
		t.Error("a group that cannot be read allowed or refused silently; want an error")
	}
	// A user named directly never needs the group.
	d, err := p.Decide(context.Background(), access.Asker{ChannelID: "CFIN", UserID: "UCFO"})
	if err != nil || !d.Allowed {
		t.Errorf("named user: %+v, %v", d, err)
	}
	nilGroups := newPolicy(t, nil)
	if _, err := nilGroups.Decide(context.Background(), access.Asker{ChannelID: "D1", UserID: "UANALYST"}); err == nil {
		t.Error("a rule with user groups and no Slack client: want an error")
	}
}

// threads is a thread's first-answer role by thread.
type threads map[string]string

func (th threads) ThreadRole(_ context.Context, c history.Conversation) (string, error) {
	return th[c.ThreadTS], nil
}

func TestResolveKeepsTheThreadsRole(t *testing.T) {
	t.Parallel()
	p := newPolicy(t, groups{"SFIN": {"UANALYST"}})
	th := threads{"1.1": "eu", "2.2": "gone", "3.3": "finance"}
	for _, tc := range []struct {
		name    string
		conv    history.Conversation
		role    string
		allowed bool
	}{
		{"the thread's role, not the DM user's", history.Conversation{ChannelID: "D1", UserID: "UEU", ThreadTS: "3.3"}, "finance", false},
		{"the thread's role for an allowed user", history.Conversation{ChannelID: "CGEN", UserID: "UEU", ThreadTS: "1.1"}, "eu", true},
		{"a role no longer in the file: decide afresh", history.Conversation{ChannelID: "CEU", UserID: "UEU", ThreadTS: "2.2"}, "eu", true},
		{"a new thread: decide", history.Conversation{ChannelID: "CFIN", UserID: "UANALYST", ThreadTS: "9.9"}, "finance", true},
	} {
		d, err := p.Resolve(context.Background(), th, tc.conv)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d.Role != tc.role || d.Allowed != tc.allowed {
			t.Errorf("%s: role %q allowed %v, want %q %v", tc.name, d.Role, d.Allowed, tc.role, tc.allowed)
		}
	}
}

func BenchmarkDecide(b *testing.B) {
	p := newPolicy(b, groups{"SFIN": {"UANALYST"}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Decide(ctx, access.Asker{ChannelID: "CFIN", UserID: "UANALYST"}); err != nil {
			b.Fatal(err)
		}
	}
}
