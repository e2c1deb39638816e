package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/chart"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/liveness"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/schema"
	"github.com/analytics-bot/analytics-bot/slackmsg"
	"github.com/analytics-bot/analytics-bot/telemetry"
	"github.com/analytics-bot/analytics-bot/tools"
)

// Answerer answers a question; *agent.Agent is one.
type Answerer interface {
	Run(ctx context.Context, question string, conv history.Conversation) (*agent.Answer, error)
}

// HistoryReader finds the SQL behind earlier answers; *history.Store is one.
type HistoryReader interface {
	LatestAnswered(ctx context.Context, c history.Conversation) (history.Entry, error)
	ByID(ctx context.Context, c history.Conversation, id int64) (history.Entry, error)
}

// FeedbackRecorder keeps the 👍 / 👎 clicks; *history.Store is one.
type FeedbackRecorder interface {
	SetFeedback(ctx context.Context, c history.Conversation, id int64, outcome string) (changed bool, err error)
}

// Catalog is what the bot can read, for suggested prompts; *schema.Cache
// is one.
type Catalog interface {
	Get(ctx context.Context) (*schema.Catalog, error)
}

// WorkerOptions is what the worker needs.
type WorkerOptions struct {
	Slack   *slack.Client
	Agent   Answerer
	History HistoryReader
	// Feedback records feedback clicks; nil ignores them.
	Feedback FeedbackRecorder
	// Catalog suggests prompts in new assistant threads; nil suggests none.
	Catalog Catalog
	// Exporter runs "export csv" (the read-only role's COPY).
	Exporter tools.Exporter
	// Access chooses each conversation's data role (ACCESS_FILE); nil runs
	// everything with Agent and Exporter.
	Access         Access
	ExportMaxRows  int
	ExportMaxBytes int64
	// Render renders answers: which links stay links, native charts.
	// Charts turns charts off when false.
	Render slackmsg.Renderer
	Charts bool
	// NoStreams answers with a placeholder replaced by the answer instead
	// of a stream, everywhere.
	NoStreams bool
	Logger    *slog.Logger
	// Metrics counts retries; nil records nothing.
	Metrics *telemetry.Metrics
	// Curators may propose and approve verified queries (CURATORS);
	// Knowledge stores them and DownVotes lists answers marked 👎 for the
	// curators' Home tab.
	Curators  []string
	Knowledge Curation
	DownVotes DownVotes
	// MaxQuestionsPerUser caps one user's questions worked on at once
	// (MAX_QUESTIONS_PER_USER); the rest wait. 0 means no cap.
	MaxQuestionsPerUser int
}

// Worker answers queued Slack work.
type Worker struct {
	river.WorkerDefaults[Work]
	opts    WorkerOptions
	replies replies
	turns   turns
}

// Work implements river.Worker. Slack's rate limits snooze the job; other
// failures retry with backoff, and the last attempt leaves a short failure
// message in the thread.
func (w *Worker) Work(ctx context.Context, job *river.Job[Work]) error {
	if job.Attempt > 1 {
		w.opts.Metrics.RecordJobRetry(ctx, job.Kind)
	}
	if lost := liveness.LostAttempts(job.Errors); lost >= maxLostAttempts {
		return w.abandon(ctx, job, "working on it stopped me twice, so I will not run it again")
	}
	if job.Attempt > job.MaxAttempts { // the last attempt died with its process
		return w.abandon(ctx, job, gaveUp)
	}
	if err := w.waitYourTurn(ctx, job); err != nil {
		return err
	}
	err := w.do(ctx, job.Args)
	var rateLimited *slack.RateLimitedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &rateLimited):
		w.opts.Logger.InfoContext(ctx, "Slack rate limit: snoozing", slog.Duration("retry_after", rateLimited.RetryAfter))
		return river.JobSnooze(max(rateLimited.RetryAfter, time.Second))
	case ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded):
		// The process is stopping: River makes the job available to
		// another instance at once, provided the error says "canceled".
		return errors.Join(err, ctx.Err())
	case ctx.Err() != nil && job.Attempt < job.MaxAttempts:
		return err // timed out: another attempt picks it up
	}
	w.opts.Logger.ErrorContext(ctx, "Slack work failed", slog.String("action", string(job.Args.Action)),
		slog.Int("attempt", job.Attempt), slog.Any("error", err))
	if job.Attempt >= job.MaxAttempts {
		w.giveUp(ctx, job.Args)
	}
	return err
}

// Timeout implements river.Worker: long enough for a slow model's eight
// turns, short enough that a stuck job is rescued quickly.
func (w *Worker) Timeout(*river.Job[Work]) time.Duration { return jobTimeout }

func (w *Worker) do(ctx context.Context, work Work) error {
	rep, found, err := w.replies.get(ctx, work.Key)
	if err != nil {
		return err
	}
	if found && rep.Answered {
		return nil // an earlier attempt finished; never answer twice
	}
	if found && work.ThreadTS == "" {
		work.ThreadTS = rep.ThreadTS // a slash command's thread, started by its placeholder
	}
	switch work.Action {
	case ActionQuestion:
		return w.answer(ctx, work, rep)
	case ActionShowSQL:
		return w.showSQL(ctx, work)
	case ActionExportCSV:
		return w.exportCSV(ctx, work)
	case ActionRefuse:
		return w.refuse(ctx, work)
	case ActionFeedback:
		return w.feedback(ctx, work)
	case ActionWelcome:
		return w.welcome(ctx, work)
	case ActionVerify:
		return w.verify(ctx, work)
	case ActionHome:
		return w.home(ctx, work)
	case ActionApprove, ActionReject:
		return w.review(ctx, work)
	}
	return fmt.Errorf("unknown action %q", work.Action)
}

func (w *Worker) answer(ctx context.Context, work Work, rep reply) error {
	sc, err := w.scope(ctx, work)
	if err != nil {
		return err
	}
	if !sc.Allowed {
		return w.refuseRole(ctx, work, sc.Role)
	}
	st, placeholder, err := w.openReply(ctx, &work, rep)
	if errors.Is(err, errViaResponseURL) {
		return w.answerViaResponseURL(ctx, work, sc.Agent)
	}
	if err != nil {
		return err
	}

	w.titleThread(ctx, work)
	runCtx := ctx
	if st != nil {
		runCtx = agent.WithSteps(ctx, st.step)
	}
	ans, runErr := sc.Agent.Run(runCtx, work.Text, work.Conversation())
	if runErr != nil && ctx.Err() != nil {
		if st != nil {
			st.abandon() // the retry takes the stream over
		}
		return runErr
	}
	if runErr != nil {
		w.opts.Logger.WarnContext(ctx, "question failed", slog.String("key", work.Key), slog.String("detail", agent.FailureDetail(runErr)))
	}
	render := func(legacy bool) slackmsg.AnswerMessage {
		if runErr != nil {
			f := slackmsg.Failure(agent.FailureReason(runErr))
			return slackmsg.AnswerMessage{Message: f, Markdown: f.Text}
		}
		r := w.renderer()
		r.LegacyTable = legacy
		return r.Answer(ans, ans.HistoryID)
	}
	rendered := render(false)
	answerTS := placeholder
	switch {
	case st != nil:
		err = st.finish(ctx, render)
		if errors.Is(err, errNotStreaming) {
			// Slack ended the stream (or it is gone): replace it instead.
			w.opts.Logger.WarnContext(ctx, "the answer's stream ended early; replacing it", slog.Any("error", err))
			answerTS, err = w.publish(ctx, work, placeholder, rendered.Message)
		}
	default:
		answerTS, err = w.publish(ctx, work, placeholder, rendered.Message)
		if isSlackError(err, "invalid_blocks") {
			w.opts.Logger.WarnContext(ctx, "Slack refused the answer's blocks; trying the older table block", slog.Any("error", err))
			answerTS, err = w.publish(ctx, work, placeholder, render(true).Message)
		}
	}
	if err != nil {
		return err
	}
	if err := w.replies.markAnswered(ctx, work.Key, work.ChannelID, work.ThreadTS, answerTS); err != nil {
		return err
	}
	if runErr == nil && rendered.Picture != "" && rendered.Picture != chart.None {
		w.postChart(ctx, work, work.Text, ans, rendered.Picture)
	}
	return nil
}

// errViaResponseURL means the bot may not post where the slash command
// was typed, so the answer goes through the command's response_url.
var errViaResponseURL = errors.New("answer through response_url")

// openReply shows at once that the bot is at work, and returns where the
// answer goes: a stream with the steps as they happen where Slack allows
// one, else the assistant thread's status (placeholder "") or a
// "Working on it…" placeholder to replace. A retried job finds what its
// earlier attempt opened. work gets the thread and channel of the reply.
func (w *Worker) openReply(ctx context.Context, work *Work, rep reply) (*stream, string, error) {
	if rep.PlaceholderTS != "" && rep.Streaming {
		st, err := w.resumeStream(ctx, work.ChannelID, rep.PlaceholderTS)
		if err == nil || errors.Is(err, errNotStreaming) {
			return st, rep.PlaceholderTS, nil // without a stream, publish replaces the message
		}
		return nil, "", err
	}
	if rep.PlaceholderTS != "" {
		return nil, rep.PlaceholderTS, nil
	}
	if work.ThreadTS != "" && !w.opts.NoStreams {
		st, err := w.startStream(ctx, *work)
		switch {
		case err == nil:
			if err := w.replies.saveStream(ctx, work.Key, st.channel, work.ThreadTS, st.ts); err != nil {
				st.abandon()
				return nil, "", err
			}
			work.ChannelID = st.channel
			return st, st.ts, nil
		case ctx.Err() != nil || isRateLimited(err):
			return nil, "", err
		}
		// A channel type or surface without streams: fall back.
		w.opts.Logger.InfoContext(ctx, "no stream here; posting a placeholder", slog.Any("error", err))
	}
	// In an assistant thread Slack shows the bot's status natively and
	// the answer is posted; elsewhere a placeholder is replaced.
	if work.DM && work.ThreadTS != "" && w.setStatus(ctx, *work, "is looking at the data…") {
		return nil, "", nil
	}
	msg := slackmsg.Working(work.Text)
	channel, ts, err := w.opts.Slack.PostMessageContext(ctx, work.ChannelID, msgOptions(msg, work.ThreadTS)...)
	if cannotPost(err) && work.ResponseURL != "" {
		return nil, "", errViaResponseURL
	}
	if err != nil {
		return nil, "", fmt.Errorf("post placeholder: %w", err)
	}
	if work.ThreadTS == "" {
		work.ThreadTS = ts // a slash command's answer starts its own thread
	}
	work.ChannelID = channel
	if err := w.replies.savePlaceholder(ctx, work.Key, work.ChannelID, work.ThreadTS, ts); err != nil {
		return nil, "", err
	}
	return nil, ts, nil
}

func isRateLimited(err error) bool {
	var rl *slack.RateLimitedError
	return errors.As(err, &rl)
}

// renderer is the configured renderer, with charts off when they are.
func (w *Worker) renderer() slackmsg.Renderer {
	r := w.opts.Render
	r.NoCharts = r.NoCharts || !w.opts.Charts
	return r
}

// publish replaces the placeholder with msg, or posts msg in the thread
// when there is no placeholder.
func (w *Worker) publish(ctx context.Context, work Work, placeholder string, msg slackmsg.Message) (string, error) {
	if placeholder != "" {
		_, ts, _, err := w.opts.Slack.UpdateMessageContext(ctx, work.ChannelID, placeholder,
			slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...))
		if err != nil {
			return "", fmt.Errorf("post answer: %w", err)
		}
		return ts, nil
	}
	_, ts, err := w.opts.Slack.PostMessageContext(ctx, work.ChannelID, msgOptions(msg, work.ThreadTS)...)
	if err != nil {
		return "", fmt.Errorf("post answer: %w", err)
	}
	return ts, nil
}

func (w *Worker) postChart(ctx context.Context, work Work, question string, ans *agent.Answer, kind chart.Kind) {
	png, err := chart.Render(ans.Result, kind, question)
	if err == nil {
		sender := FileSender{API: w.opts.Slack, ChannelID: work.ChannelID, ThreadTS: work.ThreadTS}
		err = sender.sendBytes(ctx, "chart.png", question, png)
	}
	if err != nil {
		w.opts.Logger.WarnContext(ctx, "could not post the chart", slog.Any("error", err))
	}
}

// entry finds the question a "show SQL" or "export csv" is about: the
// button's own answer, else the thread's latest answered question.
func (w *Worker) entry(ctx context.Context, work Work) (history.Entry, error) {
	conv := work.Conversation()
	if work.HistoryID > 0 {
		e, err := w.opts.History.ByID(ctx, conv, work.HistoryID)
		if !errors.Is(err, history.ErrNotFound) {
			return e, err
		}
	}
	return w.opts.History.LatestAnswered(ctx, conv)
}

func (w *Worker) showSQL(ctx context.Context, work Work) error {
	e, err := w.entry(ctx, work)
	var msg slackmsg.Message
	switch {
	case errors.Is(err, history.ErrNotFound) && work.Quiet:
		return nil // not a thread the bot answered in
	case errors.Is(err, history.ErrNotFound):
		msg = slackmsg.NoSQLYet()
	case err != nil:
		return err
	default:
		msg = slackmsg.SQL(e.SQL, e.Question)
	}
	return w.reply(ctx, work, msg)
}

func (w *Worker) exportCSV(ctx context.Context, work Work) error {
	e, err := w.entry(ctx, work)
	switch {
	case errors.Is(err, history.ErrNotFound) && work.Quiet:
		return nil
	case errors.Is(err, history.ErrNotFound):
		return w.reply(ctx, work, slackmsg.NoSQLYet())
	case err != nil:
		return err
	}
	sc, err := w.scope(ctx, work)
	if err != nil {
		return err
	}
	if !sc.Allowed {
		return w.refuseRole(ctx, work, sc.Role)
	}
	export := &tools.Export{
		DB: sc.Exporter, MaxRows: w.opts.ExportMaxRows, MaxBytes: w.opts.ExportMaxBytes, Logger: w.opts.Logger,
		Files: FileSender{API: w.opts.Slack, ChannelID: work.ChannelID, ThreadTS: work.ThreadTS},
	}
	_, err = export.Run(ctx, e.SQL)
	var sqlErr *readonly.SQLError
	if errors.As(err, &sqlErr) {
		return w.reply(ctx, work, slackmsg.Failure("the query behind that answer no longer runs ("+sqlErr.Message+")"))
	}
	if err != nil {
		return err
	}
	return w.replies.markAnswered(ctx, work.Key, work.ChannelID, work.ThreadTS, "")
}

func (w *Worker) refuse(ctx context.Context, work Work) error {
	msg := slackmsg.Refusal()
	opts := append(msgOptions(msg, work.ThreadTS), slack.MsgOptionPostEphemeral(work.UserID))
	if _, _, err := w.opts.Slack.PostMessageContext(ctx, work.ChannelID, opts...); err != nil {
		return fmt.Errorf("post refusal: %w", err)
	}
	return w.replies.markAnswered(ctx, work.Key, work.ChannelID, work.ThreadTS, "")
}

// reply posts a message in the work's thread and marks the work done.
func (w *Worker) reply(ctx context.Context, work Work, msg slackmsg.Message) error {
	_, ts, err := w.opts.Slack.PostMessageContext(ctx, work.ChannelID, msgOptions(msg, work.ThreadTS)...)
	if err != nil {
		return fmt.Errorf("post reply: %w", err)
	}
	return w.replies.markAnswered(ctx, work.Key, work.ChannelID, work.ThreadTS, ts)
}

// maxLostAttempts is how many attempts of one piece of work may end with
// their process gone before the work is abandoned: work that kills the
// process (a result too big for its memory) would otherwise kill every
// instance in turn, with every other question in flight.
const maxLostAttempts = 2

// abandon answers work that must not run again (its attempts kept ending
// with their process gone) with a short failure message, reason.
func (w *Worker) abandon(ctx context.Context, job *river.Job[Work], reason string) error {
	work := job.Args
	rep, found, err := w.replies.get(ctx, work.Key)
	if err != nil {
		return err
	}
	if found && rep.Answered {
		return nil
	}
	if found && work.ThreadTS == "" {
		work.ThreadTS = rep.ThreadTS
	}
	if rep.PlaceholderTS != "" {
		work.ChannelID = rep.ChannelID // where the placeholder is
	}
	w.opts.Logger.ErrorContext(ctx, "abandoning work whose attempts ended with the process gone",
		slog.String("action", string(work.Action)), slog.Int("lost_attempts", liveness.LostAttempts(job.Errors)),
		slog.Int("attempt", job.Attempt), slog.Int("max_attempts", job.MaxAttempts))
	ts, err := w.publishFailure(ctx, work, rep, slackmsg.Failure(reason))
	if err != nil {
		return err
	}
	return w.replies.markAnswered(ctx, work.Key, work.ChannelID, work.ThreadTS, ts)
}

// gaveUp is the failure reason once every attempt is spent.
const gaveUp = "something went wrong on my side and I gave up after several tries; please ask again in a minute"

// giveUp leaves a short failure message once the last attempt failed, so
// nobody is left without a reply.
func (w *Worker) giveUp(ctx context.Context, work Work) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	rep, _, _ := w.replies.get(ctx, work.Key)
	msg := slackmsg.Failure(gaveUp)
	if _, err := w.publishFailure(ctx, work, rep, msg); err != nil {
		w.opts.Logger.ErrorContext(ctx, "could not post the failure message", slog.Any("error", err))
	}
}

// publishFailure ends the work's reply with a failure message: a stream
// an earlier attempt left open is stopped with it, a placeholder is
// replaced, and otherwise it is posted.
func (w *Worker) publishFailure(ctx context.Context, work Work, rep reply, msg slackmsg.Message) (string, error) {
	if rep.Streaming && rep.PlaceholderTS != "" {
		channel := rep.ChannelID
		if channel == "" {
			channel = work.ChannelID
		}
		err := w.newStream(ctx, channel, rep.PlaceholderTS).fail(ctx, msg)
		if !errors.Is(err, errNotStreaming) {
			return rep.PlaceholderTS, err
		}
	}
	return w.publish(ctx, work, rep.PlaceholderTS, msg)
}

func (w *Worker) setStatus(ctx context.Context, work Work, status string) bool {
	err := w.opts.Slack.SetAssistantThreadsStatusContext(ctx, slack.AssistantThreadsSetStatusParameters{
		ChannelID: work.ChannelID, ThreadTS: work.ThreadTS, Status: status, LoadingMessages: slackmsg.LoadingMessages(),
	})
	return err == nil
}

func msgOptions(msg slackmsg.Message, threadTS string) []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...)}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	return opts
}

// answerViaResponseURL answers a slash command typed where the bot may not
// post (a channel it has not joined, a DM between two people) through the
// command's response_url, so the person still gets the answer.
func (w *Worker) answerViaResponseURL(ctx context.Context, work Work, answerer Answerer) error {
	work.ThreadTS = work.Key // its own conversation: there is no thread to follow up in
	ans, runErr := answerer.Run(ctx, work.Text, work.Conversation())
	if runErr != nil && ctx.Err() != nil {
		return runErr
	}
	msg := slackmsg.Failure(agent.FailureReason(runErr))
	if runErr != nil {
		w.opts.Logger.WarnContext(ctx, "question failed", slog.String("key", work.Key), slog.String("detail", agent.FailureDetail(runErr)))
	}
	if runErr == nil {
		msg = w.renderer().Answer(ans, ans.HistoryID).Message
	}
	err := slack.PostWebhookContext(ctx, work.ResponseURL, &slack.WebhookMessage{
		ResponseType: slack.ResponseTypeInChannel, Text: msg.Text, Blocks: &slack.Blocks{BlockSet: msg.Blocks},
	})
	if err != nil {
		return fmt.Errorf("answer through response_url: %w", err)
	}
	return w.replies.markAnswered(ctx, work.Key, work.ChannelID, work.ThreadTS, "")
}

// cannotPost reports whether Slack refused a post because the bot is not
// in the conversation.
func cannotPost(err error) bool {
	var slackErr slack.SlackErrorResponse
	return errors.As(err, &slackErr) && (slackErr.Err == "not_in_channel" || slackErr.Err == "channel_not_found")
}
