package slackbot

import (
	"regexp"
	"strings"

	"github.com/riverqueue/river"

	"github.com/analytics-bot/analytics-bot/history"
)

// Action is what a piece of Slack work asks for.
type Action string

// The actions the bot performs.
const (
	ActionQuestion  Action = "question"
	ActionShowSQL   Action = "show_sql"
	ActionExportCSV Action = "export_csv"
	ActionRefuse    Action = "refuse"
	// ActionFeedback records a 👍 / 👎 click; Text holds "up" or "down".
	ActionFeedback Action = "feedback"
	// ActionWelcome greets a new assistant thread with suggested prompts.
	ActionWelcome Action = "welcome"
)

// Work is one durable job: a question, a "show SQL", an "export csv" or a
// refusal, with where to answer.
type Work struct {
	// Key identifies the Slack message or action; the same key is worked
	// on once, however often Slack delivers it.
	Key       string `json:"key" river:"unique"`
	Action    Action `json:"action"`
	TeamID    string `json:"team_id"`
	ChannelID string `json:"channel_id"`
	// ThreadTS is the conversation's thread; empty for a slash command,
	// whose placeholder message starts the thread.
	ThreadTS  string `json:"thread_ts"`
	UserID    string `json:"user_id"`
	Text      string `json:"text,omitempty"`
	HistoryID int64  `json:"history_id,omitempty"`
	// DM is true in a direct message with the bot.
	DM bool `json:"dm,omitempty"`
	// Quiet drops "show SQL"/"export csv" in threads the bot never answered
	// (messages seen without a mention).
	Quiet bool `json:"quiet,omitempty"`
	// ResponseURL answers a slash command where the bot cannot post.
	ResponseURL string `json:"response_url,omitempty"`
}

// Kind implements river.JobArgs.
func (Work) Kind() string { return "slack_work" }

// InsertOpts implements river.JobArgsWithInsertOpts: unique per key, and
// a few attempts, since a person is waiting.
func (Work) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Conversation is the thread the work belongs to.
func (w Work) Conversation() history.Conversation {
	return history.Conversation{TeamID: w.TeamID, ChannelID: w.ChannelID, ThreadTS: w.ThreadTS, UserID: w.UserID}
}

var (
	mentionRE = regexp.MustCompile(`<@[A-Z0-9]+(\|[^>]*)?>`)
	commandRE = regexp.MustCompile(`^(?i)(?:please\s+)?(show(?:\s+the|\s+me\s+the)?\s+sql|export(?:\s+as|\s+to)?\s+csv)[\s.!?]*$`)
)

// classify reads a message's text: the mentions are dropped, and "show
// SQL" or "export csv" (any case) are commands; anything else is a
// question.
func classify(text string) (Action, string) {
	clean := strings.TrimSpace(mentionRE.ReplaceAllString(text, " "))
	clean = strings.Join(strings.Fields(clean), " ")
	if m := commandRE.FindStringSubmatch(clean); m != nil {
		if strings.HasPrefix(strings.ToLower(m[1]), "show") {
			return ActionShowSQL, clean
		}
		return ActionExportCSV, clean
	}
	return ActionQuestion, clean
}
