package slackbot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"
)

// Schedules handles scheduled questions in Slack: "/analytics schedule"
// and "/analytics schedules", the answers' Schedule… button, the modal
// and the list's buttons. *schedule.Service is one.
type Schedules interface {
	Command(ctx context.Context, cmd slack.SlashCommand) (*slack.Msg, error)
	Interaction(ctx context.Context, cb slack.InteractionCallback) (any, error)
}

// schedulePrefix starts the action ids and the callback_id that belong
// to Schedules.
const schedulePrefix = "schedule"

// WithSchedules routes scheduled questions to s (SCHEDULES=true).
func (d *Dispatcher) WithSchedules(s Schedules) *Dispatcher {
	d.schedules = s
	return d
}

// Reply handles a slash command and returns what to acknowledge it with
// (nil: an empty acknowledgement): the schedule commands, else a question.
func (d *Dispatcher) Reply(ctx context.Context, cmd slack.SlashCommand) (*slack.Msg, error) {
	word, _, _ := strings.Cut(strings.TrimSpace(cmd.Text), " ")
	if w := strings.ToLower(word); w == "schedule" || w == "schedules" {
		if d.schedules == nil {
			return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: "Scheduled questions are turned off here."}, nil
		}
		return d.schedules.Command(ctx, cmd)
	}
	text, err := d.Command(ctx, cmd)
	if err != nil {
		return nil, err
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text}, nil
}

// Respond handles an interaction and returns the body to answer Slack
// with (a view submission's response_action), or nil.
func (d *Dispatcher) Respond(ctx context.Context, cb slack.InteractionCallback) (any, error) {
	if isScheduleInteraction(cb) {
		if d.schedules == nil {
			return nil, nil
		}
		return d.schedules.Interaction(ctx, cb)
	}
	return nil, d.Interaction(ctx, cb)
}

func isScheduleInteraction(cb slack.InteractionCallback) bool {
	if strings.HasPrefix(cb.View.CallbackID, schedulePrefix) {
		return true
	}
	acts := cb.ActionCallback.BlockActions
	return cb.Type == slack.InteractionTypeBlockActions && len(acts) > 0 && strings.HasPrefix(acts[0].ActionID, schedulePrefix+"_")
}

// commandReply is the JSON a slash command is acknowledged with.
type commandReply struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

// replyBody is a reply as Slack takes it: slack.Msg's own JSON carries
// fields a command response must not have ("blocks": null).
func replyBody(m *slack.Msg) commandReply {
	rt := m.ResponseType
	if rt == "" {
		rt = slack.ResponseTypeEphemeral
	}
	return commandReply{ResponseType: rt, Text: m.Text, Blocks: m.Blocks.BlockSet}
}
