package slackbot

import "slices"

// Allowlist limits who may ask; an empty list allows everyone.
type Allowlist struct {
	Channels []string
	Users    []string
}

// Allows reports whether the user may ask in the channel (a direct
// message's channel counts as a channel too).
func (a Allowlist) Allows(channelID, userID string) bool {
	if len(a.Users) > 0 && !slices.Contains(a.Users, userID) {
		return false
	}
	return len(a.Channels) == 0 || slices.Contains(a.Channels, channelID)
}
