package fake

import (
	"net/url"
	"slices"
)

func init() {
	slackMethods["usergroups.users.list"] = (*Slack).userGroupMembersLocked
}

// SetUserGroup makes usergroups.users.list know a user group (an ID such
// as S0123ABCD) and its members, replacing any members it had.
func (s *Slack) SetUserGroup(id string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.userGroups == nil {
		s.userGroups = map[string][]string{}
	}
	s.userGroups[id] = slices.Clone(members)
}

// userGroupMembersLocked is usergroups.users.list: like Slack, an unknown
// group is no_such_subteam and a call without one is invalid_arguments.
func (s *Slack) userGroupMembersLocked(p url.Values, _ string) (map[string]any, string) {
	id := p.Get("usergroup")
	if id == "" {
		return nil, "invalid_arguments"
	}
	members, ok := s.userGroups[id]
	if !ok {
		return nil, "no_such_subteam"
	}
	return map[string]any{"users": append([]string{}, members...)}, ""
}
