package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/history"
)

// Draft is a schedule as the modal describes it, before it is stored.
type Draft struct {
	TeamID    string `json:"team_id"`
	CreatorID string `json:"creator_id"`
	ChannelID string `json:"channel_id"`
	Question  string `json:"question"`
	// SQL is empty for a question typed into the modal: the agent answers
	// it once to obtain the SQL.
	SQL       string    `json:"sql,omitempty"`
	HistoryID int64     `json:"history_id,omitempty"`
	Cadence   Cadence   `json:"cadence"`
	Condition Condition `json:"condition"`
}

// ErrNotAllowed means the allowlist does not let the user schedule into
// that channel.
var ErrNotAllowed = errors.New("not allowed to schedule questions into that channel")

// Create stores a schedule from a draft with SQL, its first run the next
// slot after now.
func (s *Service) Create(ctx context.Context, d Draft) (Schedule, error) {
	if !s.allowed(d.ChannelID, d.CreatorID) {
		return Schedule{}, ErrNotAllowed
	}
	if err := d.Cadence.Validate(); err != nil {
		return Schedule{}, err
	}
	if err := d.Condition.Validate(); err != nil {
		return Schedule{}, err
	}
	if strings.TrimSpace(d.SQL) == "" {
		return Schedule{}, errors.New("create schedule: no SQL")
	}
	next, err := d.Cadence.Next(s.clock.Now())
	if err != nil {
		return Schedule{}, err
	}
	return s.store.Create(ctx, Schedule{
		TeamID: d.TeamID, ChannelID: d.ChannelID, CreatorID: d.CreatorID, Question: d.Question, SQL: d.SQL,
		HistoryID: d.HistoryID, Cadence: d.Cadence, Condition: d.Condition, NextRunAt: next,
	}, s.perChannel)
}

// createArgs is the job that answers a typed question once and stores
// the schedule with its SQL.
type createArgs struct {
	// Key is the view submission; it is worked on once.
	Key   string `json:"key" river:"unique"`
	Draft Draft  `json:"draft"`
}

// Kind implements river.JobArgs.
func (createArgs) Kind() string { return "schedule_create" }

// InsertOpts implements river.JobArgsWithInsertOpts: once per submission.
func (createArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type createWorker struct {
	river.WorkerDefaults[createArgs]
	svc *Service
}

// Timeout implements river.Worker: a question may take a slow model's
// eight turns.
func (w *createWorker) Timeout(*river.Job[createArgs]) time.Duration { return 100 * time.Second }

// Work implements river.Worker.
func (w *createWorker) Work(ctx context.Context, job *river.Job[createArgs]) error {
	s, d := w.svc, job.Args.Draft
	if s.agent == nil {
		return s.tell(ctx, d, "Sorry, I can't answer new questions right now, so I could not schedule “"+escape(short(d.Question, 150))+"”.")
	}
	ans, err := s.agent.Run(ctx, d.Question, history.Conversation{TeamID: d.TeamID, ChannelID: d.ChannelID, ThreadTS: job.Args.Key, UserID: d.CreatorID})
	if err != nil && ctx.Err() != nil {
		return err
	}
	if err != nil || ans == nil || ans.SQL == "" || ans.Status == history.StatusFailed {
		return s.tell(ctx, d, "I could not find SQL that answers “"+escape(short(d.Question, 150))+"”, so nothing was scheduled. Ask it in a channel first, then use the answer's *Schedule…* button.")
	}
	d.SQL, d.HistoryID = ans.SQL, ans.HistoryID
	sch, err := s.Create(ctx, d)
	switch {
	case errors.Is(err, ErrChannelFull):
		return s.tell(ctx, d, fmt.Sprintf("<#%s> already has %d schedules, the most it may have; nothing was scheduled.", d.ChannelID, s.perChannel))
	case errors.Is(err, ErrNotAllowed):
		return s.tell(ctx, d, "Sorry, you can't schedule questions into that channel.")
	case err != nil:
		return err
	}
	return s.tell(ctx, d, confirmation(sch, s.clock.Now()))
}

// confirmation tells the creator what was scheduled.
func confirmation(sch Schedule, now time.Time) string {
	return fmt.Sprintf("Scheduled “%s” in <#%s> %s, %s. Next: %s. Manage it with `/analytics schedules`.",
		escape(short(oneLine(sch.Question), 150)), sch.ChannelID, sch.Cadence, sch.Condition, sch.Cadence.When(sch.NextRunAt, now))
}

// tell sends the creator a note only they see, in the schedule's channel
// or, when the bot cannot post there, as a direct message.
func (s *Service) tell(ctx context.Context, d Draft, text string) error {
	_, err := s.slack.PostEphemeralContext(ctx, d.ChannelID, d.CreatorID, slack.MsgOptionText(text, false))
	if err == nil {
		return nil
	}
	s.log.DebugContext(ctx, "ephemeral note failed; sending a direct message", slog.Any("error", err))
	if _, _, err := s.slack.PostMessageContext(ctx, d.CreatorID, slack.MsgOptionText(text, false)); err != nil {
		return fmt.Errorf("tell the creator: %w", err)
	}
	return nil
}
