package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/slackmsg"
)

// stream is an answer growing in the thread (chat.startStream): the
// agent's steps are appended as task updates while it works, and the
// answer ends it. Appends are sent by one goroutine, which the stream
// owns and waits for, so that a slow Slack never holds up the agent and
// chunks that arrive during a call go together in the next one.
type stream struct {
	api     *slack.Client
	log     *slog.Logger
	channel string
	ts      string

	mu      sync.Mutex
	pending []slack.StreamChunk
	running map[string]*time.Timer // steps whose start is not shown yet
	closed  bool
	first   bool  // the question task is still open
	err     error // the first append that failed; later ones are not sent
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

// errNotStreaming means Slack no longer takes chunks for the message: it
// was stopped, or is gone.
var errNotStreaming = errors.New("the message is no longer streaming")

// startStream starts the answer's stream in the work's thread.
func (w *Worker) startStream(ctx context.Context, work Work) (*stream, error) {
	opts := []slack.MsgOption{
		slack.MsgOptionTS(work.ThreadTS),
		slack.MsgOptionTaskDisplayMode(slack.TaskDisplayModePlan),
		slack.MsgOptionChunks(slackmsg.StreamStart(work.Text)...),
	}
	if !work.DM {
		opts = append(opts, slack.MsgOptionRecipientUserID(work.UserID), slack.MsgOptionRecipientTeamID(work.TeamID))
	}
	channel, ts, err := w.opts.Slack.StartStreamContext(ctx, work.ChannelID, opts...)
	if err != nil {
		return nil, fmt.Errorf("start stream: %w", err)
	}
	if channel == "" {
		channel = work.ChannelID
	}
	st := w.newStream(ctx, channel, ts)
	st.first = true
	return st, nil
}

// resumeStream takes over the stream an earlier attempt started. It
// returns errNotStreaming when Slack has ended that stream.
func (w *Worker) resumeStream(ctx context.Context, channel, ts string) (*stream, error) {
	_, _, err := w.opts.Slack.AppendStreamContext(ctx, channel, ts, slack.MsgOptionChunks(slackmsg.Retrying()))
	if err != nil {
		return nil, streamError("resume stream", err)
	}
	return w.newStream(ctx, channel, ts), nil
}

// newStream starts the stream's sender, which outlives ctx's
// cancellation so that chunks already queued are not cut off mid-call.
func (w *Worker) newStream(ctx context.Context, channel, ts string) *stream {
	st := &stream{
		api: w.opts.Slack, log: w.opts.Logger, channel: channel, ts: ts, running: map[string]*time.Timer{},
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	go st.send(context.WithoutCancel(ctx))
	return st
}

// showRunningAfter is how long a step runs before it is shown as under
// way: a quick step is shown once, finished, which saves a Slack call.
const showRunningAfter = 300 * time.Millisecond

// step is the agent's StepFunc: each tool call becomes a task card.
func (st *stream) step(_ context.Context, s agent.Step) {
	task := slackmsg.StepTask(s)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return
	}
	if !s.Done {
		st.running[task.ID] = time.AfterFunc(showRunningAfter, func() { st.add(task, true) })
		return
	}
	if t, ok := st.running[task.ID]; ok {
		t.Stop()
		delete(st.running, task.ID)
	}
	st.addLocked(task)
}

// add queues a chunk for the sender; running marks a step's start, which
// is dropped if the step has ended meanwhile.
func (st *stream) add(c slack.TaskUpdateChunk, running bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return
	}
	if _, still := st.running[c.ID]; running && !still {
		return
	}
	delete(st.running, c.ID)
	st.addLocked(c)
}

func (st *stream) addLocked(c slack.StreamChunk) {
	if st.first {
		st.first = false
		st.pending = append(st.pending, slackmsg.QuestionRead())
	}
	st.pending = append(st.pending, c)
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// send appends pending chunks until the stream is closed.
func (st *stream) send(ctx context.Context) {
	defer close(st.done)
	for {
		select {
		case <-st.wake:
			st.flush(ctx)
		case <-st.stop:
			return
		}
	}
}

func (st *stream) flush(ctx context.Context) {
	st.mu.Lock()
	chunks := st.pending
	st.pending = nil
	failed := st.err != nil
	st.mu.Unlock()
	if len(chunks) == 0 || failed {
		return
	}
	_, _, err := st.api.AppendStreamContext(ctx, st.channel, st.ts, slack.MsgOptionChunks(chunks...))
	if err != nil {
		st.log.WarnContext(ctx, "could not append to the answer's stream", slog.Any("error", err))
		st.mu.Lock()
		st.err = streamError("append to stream", err)
		st.mu.Unlock()
	}
}

// close stops the sender and returns what was not sent yet, with the
// question task completed if no step did it.
func (st *stream) close() ([]slack.StreamChunk, error) {
	st.mu.Lock()
	st.closed = true
	for id, t := range st.running {
		t.Stop()
		delete(st.running, id)
	}
	st.mu.Unlock()
	close(st.stop)
	<-st.done
	st.mu.Lock()
	defer st.mu.Unlock()
	chunks := st.pending
	if st.first {
		chunks = append(chunks, slackmsg.QuestionRead())
	}
	return chunks, st.err
}

// finish ends the stream with the answer in one call: the last task
// updates, the text and the answer's blocks. A data_table Slack refuses
// is retried as the older table block. It returns errNotStreaming when
// Slack ended the stream before.
func (st *stream) finish(ctx context.Context, render func(legacy bool) slackmsg.AnswerMessage) error {
	chunks, err := st.close()
	if err != nil {
		return err
	}
	msg := render(false)
	if task, ok := slackmsg.ChartTask(msg); ok {
		chunks = append(chunks, task)
	}
	chunks = append(chunks, slack.NewMarkdownTextChunk(msg.Markdown))
	stop := func(blocks []slack.Block) error {
		opts := []slack.MsgOption{slack.MsgOptionChunks(chunks...)}
		if len(blocks) > 0 {
			opts = append(opts, slack.MsgOptionBlocks(blocks...))
		}
		_, _, err := st.api.StopStreamContext(ctx, st.channel, st.ts, opts...)
		return err
	}
	err = stop(msg.Tail)
	if isSlackError(err, "invalid_blocks") {
		st.log.WarnContext(ctx, "Slack refused the answer's blocks; trying the older table block", slog.Any("error", err))
		err = stop(render(true).Tail)
	}
	if err != nil {
		return streamError("stop stream", err)
	}
	return nil
}

// fail ends the stream with a short failure text.
func (st *stream) fail(ctx context.Context, msg slackmsg.Message) error {
	chunks, err := st.close()
	if err != nil {
		return err
	}
	chunks = append(chunks, slack.NewMarkdownTextChunk(msg.Text))
	if _, _, err := st.api.StopStreamContext(ctx, st.channel, st.ts, slack.MsgOptionChunks(chunks...)); err != nil {
		return streamError("stop stream", err)
	}
	return nil
}

// abandon stops the sender and leaves the stream as it is, for a retry to
// take over.
func (st *stream) abandon() { _, _ = st.close() }

// streamError wraps a Slack error; a stream that Slack no longer takes
// chunks for also matches errNotStreaming.
func streamError(op string, err error) error {
	if isSlackError(err, "message_not_in_streaming_state") || isSlackError(err, "message_not_found") {
		return fmt.Errorf("%s: %w: %w", op, errNotStreaming, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func isSlackError(err error, code string) bool {
	var slackErr slack.SlackErrorResponse
	return errors.As(err, &slackErr) && slackErr.Err == code
}
