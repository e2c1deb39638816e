package slackbot

import "slices"

// Allowlist limits who may ask; an empty list allows everyone in the
// workspace the bot is installed in.
type Allowlist struct {
	Channels []string
	Users    []string
	// ExternalUsers serves people whose team is not the installing team,
	// such as members of another organisation in a Slack Connect channel
	// (ALLOW_EXTERNAL_USERS). Off, they are refused even when Users is empty.
	ExternalUsers bool
}

// Allows reports whether the user may ask in the channel (a direct
// message's channel counts as a channel too).
func (a Allowlist) Allows(channelID, userID string) bool {
	if len(a.Users) > 0 && !slices.Contains(a.Users, userID) {
		return false
	}
	return len(a.Channels) == 0 || slices.Contains(a.Channels, channelID)
}
