package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/analytics-bot/analytics-bot/slackmsg"
)

// Enqueuer durably queues work; it returns only once the work is stored.
type Enqueuer interface {
	Enqueue(ctx context.Context, w Work) error
}

// Identity is the bot's own Slack identity, found with auth.test at start.
type Identity struct {
	UserID string
	BotID  string
	// TeamID is the installing workspace; people of other teams are
	// external. Empty when auth.test failed: nobody is then treated as external.
	TeamID string
	// EnterpriseID is the Enterprise Grid organisation of that workspace
	// (empty outside Grid): people of its other workspaces are not external.
	EnterpriseID string
}

// Dispatcher turns Slack deliveries (HTTP or Socket Mode) into work.
type Dispatcher struct {
	queue Enqueuer
	self  Identity
	allow Allowlist
	log   *slog.Logger
	// schedules is nil when scheduled questions are off.
	schedules Schedules
}

// NewDispatcher returns a dispatcher that queues work on q.
func NewDispatcher(q Enqueuer, self Identity, allow Allowlist, log *slog.Logger) *Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{queue: q, self: self, allow: allow, log: log}
}

// ErrBadRequest marks a delivery that cannot be understood; it is
// answered with 400 and never retried.
var ErrBadRequest = errors.New("bad request")

// Event handles an Events API payload. It returns the challenge for
// url_verification; every other event is queued or ignored.
func (d *Dispatcher) Event(ctx context.Context, body []byte) (challenge string, err error) {
	defer func() {
		if r := recover(); r != nil { // a malformed payload must never crash the process
			err = fmt.Errorf("%w: malformed event: %v", ErrBadRequest, r)
		}
	}()
	if !json.Valid(body) {
		return "", fmt.Errorf("%w: the body is not JSON", ErrBadRequest)
	}
	var outer struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
		EventID   string `json:"event_id"`
		TeamID    string `json:"team_id"`
		// ExtShared is nil when Slack does not say (older deliveries).
		ExtShared *bool `json:"is_ext_shared_channel"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	switch outer.Type {
	case slackevents.URLVerification:
		return outer.Challenge, nil
	case slackevents.CallbackEvent:
	default:
		d.log.DebugContext(ctx, "ignored a Slack delivery", slog.String("type", outer.Type))
		return "", nil
	}
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		d.log.DebugContext(ctx, "ignored an event slack-go cannot parse", slog.Any("error", err))
		return "", nil
	}
	work, ok := d.workFor(outer.TeamID, outer.ExtShared, ev.InnerEvent.Data)
	if !ok {
		return "", nil
	}
	return "", d.enqueue(ctx, work)
}

// workFor turns one event into work; extShared is the envelope's
// is_ext_shared_channel.
func (d *Dispatcher) workFor(teamID string, extShared *bool, inner any) (Work, bool) {
	switch e := inner.(type) {
	case *slackevents.AppHomeOpenedEvent:
		return homeWork(teamID, e)
	case *slackevents.AppMentionEvent:
		if d.fromBot(e.User, e.BotID, "") || e.Channel == "" || e.TimeStamp == "" {
			return Work{}, false
		}
		return d.messageWork(teamID, e.UserTeam, extShared, e.Channel, e.User, e.Text, e.TimeStamp, e.ThreadTimeStamp, false, true), true
	case *slackevents.AssistantThreadStartedEvent:
		th := e.AssistantThread
		if th.ChannelID == "" || th.ThreadTimeStamp == "" || th.UserID == "" || !d.allow.Allows(th.ChannelID, th.UserID) {
			return Work{}, false
		}
		return Work{
			Key: "thread:" + th.ChannelID + ":" + th.ThreadTimeStamp, Action: ActionWelcome, TeamID: teamID,
			ChannelID: th.ChannelID, ThreadTS: th.ThreadTimeStamp, UserID: th.UserID, DM: true,
		}, true
	case *slackevents.MessageEvent:
		if d.fromBot(e.User, e.BotID, e.SubType) || e.Channel == "" || e.TimeStamp == "" {
			return Work{}, false
		}
		dm := e.ChannelType == "im"
		w := d.messageWork(teamID, e.UserTeam, extShared, e.Channel, e.User, e.Text, e.TimeStamp, e.ThreadTimeStamp, dm, dm)
		if !dm {
			// In channels only mentions are questions; a plain "show SQL"
			// in a thread is served when the bot answered in that thread.
			if w.Action == ActionQuestion || e.ThreadTimeStamp == "" || mentionRE.MatchString(e.Text) {
				return Work{}, false
			}
			// Not addressed to the bot, so no refusal either: someone
			// outside the allowlist is simply not served.
			if !d.allows(e.Channel, e.User, e.UserTeam, extShared) {
				return Work{}, false
			}
			w.Quiet = true
		}
		return w, true
	}
	return Work{}, false
}

// fromBot reports whether a message is the bot's own or another bot's, or
// not a plain new message (edited, deleted, joined…).
func (d *Dispatcher) fromBot(user, botID, subtype string) bool {
	return botID != "" || subtype != "" || user == "" || user == d.self.UserID
}

func (d *Dispatcher) messageWork(teamID, userTeam string, extShared *bool, channel, user, text, ts, threadTS string, dm, addressed bool) Work {
	action, clean := classify(text)
	thread := threadTS
	if thread == "" {
		thread = ts
	}
	w := Work{
		Key:    "msg:" + channel + ":" + ts,
		Action: action, TeamID: teamID, ChannelID: channel, ThreadTS: thread, UserID: user, Text: clean, DM: dm,
	}
	if addressed && !d.allows(channel, user, userTeam, extShared) {
		w.Action = ActionRefuse
	}
	return w
}

// Command handles the slash command. It returns the text acknowledged to
// the person at once; the answer follows in the channel.
func (d *Dispatcher) Command(ctx context.Context, cmd slack.SlashCommand) (string, error) {
	text := strings.TrimSpace(cmd.Text)
	if text == "" {
		return "Ask me a question about the data, for example: `" + cmd.Command + " what was DAU by platform last week?`", nil
	}
	if cmd.TriggerID == "" || cmd.ChannelID == "" || cmd.UserID == "" {
		return "", fmt.Errorf("%w: slash command without trigger, channel or user", ErrBadRequest)
	}
	w := Work{
		Key: "cmd:" + cmd.TriggerID, Action: ActionQuestion, TeamID: cmd.TeamID, ChannelID: cmd.ChannelID,
		UserID: cmd.UserID, Text: text, DM: strings.HasPrefix(cmd.ChannelID, "D"), ResponseURL: cmd.ResponseURL,
	}
	if action, clean := classify(text); action != ActionQuestion {
		return "`" + clean + "` works inside an answer's thread; use the buttons under an answer.", nil
	}
	if !d.allows(cmd.ChannelID, cmd.UserID, cmd.TeamID, nil) {
		return refusalText, nil
	}
	if err := d.enqueue(ctx, w); err != nil {
		return "", err
	}
	return "Working on it: " + text, nil
}

// Interaction handles a button press on an answer.
func (d *Dispatcher) Interaction(ctx context.Context, cb slack.InteractionCallback) error {
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return nil
	}
	action := cb.ActionCallback.BlockActions[0]
	var kind Action
	switch action.ActionID {
	case string(ActionShowSQL):
		kind = ActionShowSQL
	case string(ActionExportCSV):
		kind = ActionExportCSV
	case slackmsg.ActionFeedback:
		kind = ActionFeedback
	case slackmsg.ActionVerify:
		kind = ActionVerify
	case slackmsg.ActionApprove, slackmsg.ActionReject:
		// From the Home tab: no channel, no thread; curators are checked
		// when the work is done.
		w, err := reviewWork(cb, action)
		if err != nil {
			return err
		}
		return d.enqueue(ctx, w)
	default:
		return nil
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	messageTS := cb.Message.Timestamp
	if messageTS == "" {
		messageTS = cb.Container.MessageTs
	}
	thread := cb.Message.ThreadTimestamp
	if thread == "" {
		thread = messageTS
	}
	if channel == "" || thread == "" || cb.User.ID == "" {
		return fmt.Errorf("%w: button press without channel, message or user", ErrBadRequest)
	}
	historyID := historyIDOf(action.Value)
	w := Work{
		Key:    "action:" + channel + ":" + messageTS + ":" + action.ActionID + ":" + action.ActionTs,
		Action: kind, TeamID: cb.Team.ID, ChannelID: channel, ThreadTS: thread, UserID: cb.User.ID, HistoryID: historyID,
	}
	if kind == ActionFeedback {
		outcome, id, ok := slackmsg.ParseFeedback(action.Value)
		if !ok {
			return fmt.Errorf("%w: feedback with value %q", ErrBadRequest, action.Value)
		}
		w.Text, w.HistoryID = outcome, id
	}
	if !d.allows(channel, cb.User.ID, cb.User.TeamID, nil) {
		if kind == ActionFeedback {
			return nil // not served here, so nothing to rate
		}
		w.Action = ActionRefuse
	}
	return d.enqueue(ctx, w)
}

// allows reports whether user, of team userTeam, may ask in channel: the
// allowlist, and people of another organisation only when ExternalUsers is
// set.
func (d *Dispatcher) allows(channel, user, userTeam string, extShared *bool) bool {
	if d.external(userTeam, extShared) && !d.allow.ExternalUsers {
		return false
	}
	return d.allow.Allows(channel, user)
}

// external reports whether a person of team userTeam belongs to another
// organisation. An unknown team (a payload without one) counts as the
// bot's own. On Enterprise Grid, Slack reports a person of a sibling
// workspace by that workspace's T… id, or in interaction payloads by the
// organisation's E… id; neither is external when the channel is shared
// with no other organisation (extShared false; nil when the delivery does
// not say).
func (d *Dispatcher) external(userTeam string, extShared *bool) bool {
	switch {
	case userTeam == "" || d.self.TeamID == "" || userTeam == d.self.TeamID:
		return false
	case d.self.EnterpriseID != "" && userTeam == d.self.EnterpriseID:
		return false
	case extShared != nil && !*extShared:
		return false
	}
	return true
}

func (d *Dispatcher) enqueue(ctx context.Context, w Work) error {
	if err := d.queue.Enqueue(ctx, w); err != nil {
		return fmt.Errorf("queue %s: %w", w.Action, err)
	}
	return nil
}

const refusalText = "Sorry, I'm not set up to answer questions here. Ask an admin to add this channel or your account to the bot's allowlist."
