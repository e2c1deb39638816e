package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/history"
)

// Command answers "/analytics schedule [question]", which opens the
// modal for a typed question, and "/analytics schedules", the channel's
// list. A nil message means there is nothing to say.
func (s *Service) Command(ctx context.Context, cmd slack.SlashCommand) (*slack.Msg, error) {
	word, rest, _ := strings.Cut(strings.TrimSpace(cmd.Text), " ")
	switch strings.ToLower(word) {
	case "schedules":
		list, err := s.store.Channel(ctx, cmd.TeamID, cmd.ChannelID)
		if err != nil {
			return nil, err
		}
		return s.listMessage(cmd.ChannelID, cmd.UserID, list, s.clock.Now()), nil
	case "schedule":
		if !s.allowed(cmd.ChannelID, cmd.UserID) {
			return ephemeral(refusal), nil
		}
		f := newForm(formMeta{Channel: cmd.ChannelID, Typed: true}, strings.TrimSpace(rest), s.timeZone(ctx, cmd.UserID))
		if _, err := s.slack.OpenViewContext(ctx, cmd.TriggerID, modalView(f)); err != nil {
			s.log.WarnContext(ctx, "could not open the schedule modal", slog.Any("error", err))
			return ephemeral("Sorry, I couldn't open the schedule form. Please try again."), nil
		}
		return nil, nil
	}
	return ephemeral("Use `/analytics schedule` to schedule a question, or `/analytics schedules` to see this channel's."), nil
}

const refusal = "Sorry, I can't schedule questions here: this channel or user is not on my allowlist."

func ephemeral(text string) *slack.Msg {
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text}
}

// Interaction handles the "Schedule…" button, the modal (its selects
// and its submission) and the list's buttons. It returns the body to
// answer Slack with (a view submission's response_action), or nil.
func (s *Service) Interaction(ctx context.Context, cb slack.InteractionCallback) (any, error) {
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		return s.submit(ctx, cb)
	case slack.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return nil, nil
		}
		a := cb.ActionCallback.BlockActions[0]
		switch a.ActionID {
		case ActionOpen:
			return nil, s.openFromAnswer(ctx, cb, a)
		case actionFrequency, actionCondition:
			return nil, s.refresh(ctx, cb)
		case ActionPause, ActionResume, ActionDelete:
			return nil, s.change(ctx, cb, a)
		}
	}
	return nil, nil
}

// timeZone is the person's time zone from users.info, or UTC.
func (s *Service) timeZone(ctx context.Context, userID string) string {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	u, err := s.slack.GetUserInfoContext(ctx, userID)
	if err != nil || u.TZ == "" {
		return "UTC"
	}
	if _, err := time.LoadLocation(u.TZ); err != nil {
		return "UTC"
	}
	return u.TZ
}

// openFromAnswer opens the modal for the answer under which the button
// was pressed.
func (s *Service) openFromAnswer(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	channel, thread := cb.Channel.ID, cb.Message.ThreadTimestamp
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	if thread == "" {
		thread = cb.Message.Timestamp
	}
	if thread == "" {
		thread = cb.Container.MessageTs
	}
	view := func() slack.ModalViewRequest {
		if !s.allowed(channel, cb.User.ID) {
			return noticeView("Schedule", refusal)
		}
		id, _ := strconv.ParseInt(a.Value, 10, 64)
		e, err := s.history.ByID(ctx, history.Conversation{TeamID: cb.Team.ID, ChannelID: channel, ThreadTS: thread}, id)
		if err != nil || e.SQL == "" {
			if err != nil && !errors.Is(err, history.ErrNotFound) {
				s.log.WarnContext(ctx, "could not read the answer to schedule", slog.Any("error", err))
			}
			return noticeView("Schedule", "I can't find the SQL behind that answer, so there is nothing to schedule. Ask the question again and schedule the new answer.")
		}
		meta := formMeta{HistoryID: e.ID, Channel: channel, ThreadTS: thread, Question: short(oneLine(e.Question), 500)}
		return modalView(newForm(meta, meta.Question, s.timeZone(ctx, cb.User.ID)))
	}()
	if _, err := s.slack.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
		return fmt.Errorf("open the schedule modal: %w", err)
	}
	return nil
}

// refresh rebuilds the modal when the frequency or the condition changed,
// so that it shows the fields they need.
func (s *Service) refresh(ctx context.Context, cb slack.InteractionCallback) error {
	if cb.View.ID == "" {
		return nil
	}
	f := readForm(cb.View)
	if _, err := s.slack.UpdateViewContext(ctx, modalView(f), "", cb.View.Hash, cb.View.ID); err != nil {
		var se slack.SlackErrorResponse
		if errors.As(err, &se) && se.Err == "hash_conflict" {
			return nil // a newer change is already on its way
		}
		return fmt.Errorf("update the schedule modal: %w", err)
	}
	return nil
}

// submit validates the modal; errors go back next to their fields, as
// Slack expects (response_action: errors). A valid schedule of an answer
// is stored at once; a typed question is answered by a job first.
func (s *Service) submit(ctx context.Context, cb slack.InteractionCallback) (any, error) {
	f := readForm(cb.View)
	d, errs := f.draft()
	d.TeamID, d.CreatorID = cb.Team.ID, cb.User.ID
	if _, bad := errs[blockChannel]; !bad && !s.allowed(d.ChannelID, d.CreatorID) {
		errs[blockChannel] = "You can't schedule questions into that channel."
	}
	if len(errs) > 0 {
		return slack.NewErrorsViewSubmissionResponse(errs), nil
	}
	if f.meta.Typed {
		full, err := s.channelFull(ctx, d)
		if err != nil {
			return nil, err
		}
		if full {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{blockChannel: s.fullText()}), nil
		}
		if _, err := s.inserter.Insert(ctx, createArgs{Key: cb.View.ID, Draft: d}, nil); err != nil {
			return nil, fmt.Errorf("queue the schedule: %w", err)
		}
		return slack.NewUpdateViewSubmissionResponse(ptr(noticeView("Schedule",
			"Working on it: I'm answering “"+escape(short(oneLine(d.Question), 200))+"” once to find its SQL. "+
				"You'll get a note in <#"+d.ChannelID+"> when it is scheduled."))), nil
	}
	e, err := s.history.ByID(ctx, history.Conversation{TeamID: d.TeamID, ChannelID: f.meta.Channel, ThreadTS: f.meta.ThreadTS}, f.meta.HistoryID)
	if errors.Is(err, history.ErrNotFound) || (err == nil && e.SQL == "") {
		return slack.NewUpdateViewSubmissionResponse(ptr(noticeView("Schedule", "I can't find the SQL behind that answer any more, so nothing was scheduled."))), nil
	}
	if err != nil {
		return nil, err
	}
	d.Question, d.SQL, d.HistoryID = e.Question, e.SQL, e.ID
	sch, err := s.Create(ctx, d)
	switch {
	case errors.Is(err, ErrChannelFull):
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blockChannel: s.fullText()}), nil
	case err != nil:
		return nil, err
	}
	return slack.NewUpdateViewSubmissionResponse(ptr(noticeView("Scheduled", confirmation(sch, s.clock.Now())))), nil
}

func ptr[T any](v T) *T { return &v }

func (s *Service) fullText() string {
	return fmt.Sprintf("That channel already has %d schedules, the most it may have. Delete one with /analytics schedules first.", s.perChannel)
}

// channelFull reports whether the draft's channel is at its cap (checked
// again, under a lock, when the schedule is stored).
func (s *Service) channelFull(ctx context.Context, d Draft) (bool, error) {
	list, err := s.store.Channel(ctx, d.TeamID, d.ChannelID)
	if err != nil {
		return false, err
	}
	return len(list) >= s.perChannel, nil
}

// change pauses, resumes or deletes a schedule from the list, when the
// person is its creator or a curator, and redraws the list.
func (s *Service) change(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) error {
	id, _ := strconv.ParseInt(a.Value, 10, 64)
	sch, err := s.store.Get(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err == nil {
		if !s.mayChange(sch, cb.User.ID) {
			return s.respond(ctx, cb.ResponseURL, false, ephemeral("Only the person who scheduled it, or a curator, can change that schedule."))
		}
		switch a.ActionID {
		case ActionPause:
			err = s.store.Pause(ctx, id, "")
		case ActionResume:
			var next time.Time
			if next, err = sch.Cadence.Next(s.clock.Now()); err == nil {
				err = s.store.Resume(ctx, id, next)
			}
		case ActionDelete:
			err = s.store.Delete(ctx, id)
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	list, err := s.store.Channel(ctx, cb.Team.ID, channel)
	if err != nil {
		return err
	}
	return s.respond(ctx, cb.ResponseURL, true, s.listMessage(channel, cb.User.ID, list, s.clock.Now()))
}

// respond answers through an interaction's response_url, replacing the
// list or adding a note under it.
func (s *Service) respond(ctx context.Context, responseURL string, replace bool, msg *slack.Msg) error {
	if responseURL == "" {
		return nil
	}
	err := slack.PostWebhookContext(ctx, responseURL, &slack.WebhookMessage{
		ResponseType: slack.ResponseTypeEphemeral, ReplaceOriginal: replace, Text: msg.Text, Blocks: &msg.Blocks,
	})
	if err != nil {
		return fmt.Errorf("answer through response_url: %w", err)
	}
	return nil
}
