package schedule

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/chart"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/slackmsg"
)

// deliveryWorker runs DeliveryArgs jobs.
type deliveryWorker struct {
	river.WorkerDefaults[DeliveryArgs]
	svc *Service
}

// Work implements river.Worker: Slack's rate limits snooze the job; a
// failure of the bot's own (database, Slack) is retried; a frozen SQL
// that no longer runs is a failed delivery, not a failed job.
func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	err := w.svc.deliver(ctx, job.Args)
	var rateLimited *slack.RateLimitedError
	if errors.As(err, &rateLimited) {
		return river.JobSnooze(max(rateLimited.RetryAfter, time.Second))
	}
	if err != nil {
		w.svc.log.ErrorContext(ctx, "scheduled delivery failed", slog.Int64("schedule_id", job.Args.ScheduleID),
			slog.Time("slot", job.Args.Slot), slog.Int("attempt", job.Attempt), slog.Any("error", err))
	}
	return err
}

// Timeout implements river.Worker: the statement timeout plus Slack.
func (w *deliveryWorker) Timeout(*river.Job[DeliveryArgs]) time.Duration { return 2 * time.Minute }

// deliver runs one slot of one schedule, once: the frozen SQL as the
// read-only role (with ACCESS_FILE, the channel's data role), the
// condition, the post, the records.
func (s *Service) deliver(ctx context.Context, a DeliveryArgs) error {
	sch, err := s.store.Get(ctx, a.ScheduleID)
	if errors.Is(err, ErrNotFound) {
		return nil // deleted since it was planned
	}
	if err != nil {
		return err
	}
	if sch.Paused {
		return nil
	}
	started, recorded, err := s.store.start(ctx, a.ScheduleID, a.Slot, a.Late)
	if err != nil || !started {
		return err // nil when an earlier attempt finished this slot
	}
	d := Delivery{ScheduleID: sch.ID, Slot: a.Slot, Late: a.Late, HistoryID: recorded}

	db, role, refused, err := s.querier(ctx, sch)
	switch {
	case err != nil:
		return err
	case refused != "":
		return s.failed(ctx, sch, d, refused)
	}
	res, err := db.Query(ctx, sch.SQL)
	var sqlErr *readonly.SQLError
	switch {
	case errors.As(err, &sqlErr):
		return s.failed(ctx, sch, d, sqlErr.Message)
	case err != nil:
		return err
	}
	d.RowCount = res.RowCount()
	d.Value = FirstNumber(res)
	ev, err := s.store.evidence(ctx, sch.ID, a.Slot, sch.Condition.Window)
	if err != nil {
		return err
	}
	ev.Value = d.Value
	post, reason := sch.Condition.Holds(ev)
	d.Status = StatusWithheld
	entryStatus := history.StatusWithheld
	if post {
		d.Status, entryStatus = StatusPosted, history.StatusDelivered
	}
	if d.HistoryID == 0 {
		if d.HistoryID, err = s.record(ctx, sch, history.Entry{SQL: sch.SQL, RowCount: d.RowCount, Latency: res.Duration, Status: entryStatus, DataRole: role}); err != nil {
			return err
		}
		if err := s.store.recorded(ctx, sch.ID, d.Slot, d.HistoryID); err != nil {
			return err
		}
	}
	if post {
		now := s.clock.Now()
		msg := deliveryMessage(slackmsg.Renderer{NoCharts: !s.charts}, sch, d, res, reason, now)
		_, ts, err := s.slack.PostMessageContext(ctx, sch.ChannelID,
			slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...))
		if err != nil {
			return fmt.Errorf("post delivery: %w", err)
		}
		d.MessageTS = ts
		if err := s.history.SetThread(ctx, d.HistoryID, ts); err != nil {
			s.log.WarnContext(ctx, "could not file the delivery under its thread", slog.Any("error", err))
		}
		if msg.Picture != "" && msg.Picture != chart.None {
			s.postChart(ctx, sch, ts, res, msg.Picture) // no native chart fits
		}
	}
	return s.store.finish(ctx, d)
}

// record writes the delivery's query_history row: no model, no tokens.
func (s *Service) record(ctx context.Context, sch Schedule, e history.Entry) (int64, error) {
	e.Conversation = history.Conversation{TeamID: sch.TeamID, ChannelID: sch.ChannelID, UserID: sch.CreatorID}
	e.Question = sch.Question
	return s.history.Record(ctx, e)
}

// failed records a delivery whose SQL no longer runs, tells the creator,
// and pauses the schedule at the third failure in a row.
func (s *Service) failed(ctx context.Context, sch Schedule, d Delivery, problem string) error {
	d.Error = problem
	var err error
	if d.HistoryID, err = s.record(ctx, sch, history.Entry{SQL: sch.SQL, Status: history.StatusDeliveryFailed, Error: problem}); err != nil {
		return err
	}
	failures, paused, err := s.store.fail(ctx, d, fmt.Sprintf("its SQL failed %d times in a row", maxFailures))
	if err != nil {
		return err
	}
	sch.Paused = paused
	text := failureNote(sch, problem, failures, s.clock.Now())
	if _, _, err := s.slack.PostMessageContext(ctx, sch.CreatorID, slack.MsgOptionText(text, false)); err != nil {
		s.log.WarnContext(ctx, "could not tell the creator about a failed delivery", slog.Int64("schedule_id", sch.ID), slog.Any("error", err))
	}
	return nil
}

// failureNote is the short note to the creator of a schedule whose SQL
// failed.
func failureNote(sch Schedule, problem string, failures int, now time.Time) string {
	text := fmt.Sprintf("Your scheduled question “%s” for <#%s> could not run: %s.",
		escape(short(oneLine(sch.Question), 150)), sch.ChannelID, escape(short(oneLine(problem), 300)))
	if sch.Paused {
		return text + fmt.Sprintf(" It failed %d times in a row, so I paused it. Ask the question again to get working SQL and schedule that, or resume it from `/analytics schedules` once the data is back.", failures)
	}
	return text + fmt.Sprintf(" I'll try again %s; after %d failures in a row I pause it (this was %d).",
		sch.Cadence.When(sch.NextRunAt, now), maxFailures, failures)
}

func (s *Service) postChart(ctx context.Context, sch Schedule, threadTS string, res *readonly.Result, kind chart.Kind) {
	png, err := chart.Render(res, kind, sch.Question)
	if err == nil {
		_, err = s.slack.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader: bytes.NewReader(png), FileSize: len(png), Filename: "chart.png", Title: sch.Question,
			Channel: sch.ChannelID, ThreadTimestamp: threadTS,
		})
	}
	if err != nil {
		s.log.WarnContext(ctx, "could not post the chart of a delivery", slog.Any("error", err))
	}
}
