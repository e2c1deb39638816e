package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// One user's questions take turns: at most MaxQuestionsPerUser of them
// are worked on at once, in order of arrival (the job id), and the rest
// wait in line as snoozed jobs. Waiting costs next to nothing: a question
// snoozes for about as long as the questions before it should take,
// longer each time it finds the line has not moved, and a question that
// ends wakes the next in line at once (follow). A question that arrives
// behind a long line is stored already waiting (lines), so a flood of
// thousands is not worked through one by one only to be snoozed. Every
// check reads a few entries of the river_job_question_turns index: the
// thousandth question of a flood costs what the first does.

// userQuestions selects the unfinished questions of user $2 of team $1,
// as the river_job_question_turns index holds them.
const userQuestions = `kind = 'slack_work' AND args->>'action' = 'question' AND args->>'team_id' = $1 AND args->>'user_id' = $2
  AND state IN ('available', 'scheduled', 'retryable', 'running')`

// turnSQL finds where question $3 stands: the user's other questions
// running now (on any instance), how many of those were asked before it,
// and how many asked before it wait (up to $4 of each waiting state, each
// state a range of the index).
const turnSQL = `
SELECT
  (SELECT count(*) FROM analytics_bot.river_job WHERE ` + userQuestions + ` AND state = 'running' AND id <> $3),
  (SELECT count(*) FROM analytics_bot.river_job WHERE ` + userQuestions + ` AND state = 'running' AND id < $3),
  (SELECT count(*) FROM unnest('{available,scheduled,retryable}'::analytics_bot.river_job_state[]) w(state),
     LATERAL (SELECT 1 FROM analytics_bot.river_job
              WHERE ` + userQuestions + ` AND state = w.state AND id < $3 LIMIT $4) earlier)`

// nextTurnsSQL makes available now every snoozed question among the
// user's first $3 unfinished ones: their turn has come. A finished
// question thus hands its turn on at once, and a turn is never left
// unused because the question that should take it is snoozed. It returns
// how many questions are in line (counted up to $4) and how many it woke.
const nextTurnsSQL = `
WITH first AS (
  SELECT q.id, row_number() OVER (ORDER BY q.id) AS place
  FROM unnest('{running,available,scheduled,retryable}'::analytics_bot.river_job_state[]) s(state),
    LATERAL (SELECT id FROM analytics_bot.river_job
             WHERE ` + userQuestions + ` AND state = s.state ORDER BY id LIMIT $4) q
  ORDER BY q.id LIMIT $4),
woken AS (
  UPDATE analytics_bot.river_job j SET state = 'available', scheduled_at = now()
  FROM first
  WHERE j.id = first.id AND first.place <= $3 AND j.state IN ('available', 'scheduled') AND j.scheduled_at > now()
  RETURNING j.id)
SELECT (SELECT count(*) FROM first), (SELECT count(*) FROM woken)`

// How long a question waits for its turn.
const (
	// turnGuess is a first guess at how long one question holds a turn;
	// a turn that ends sooner wakes the next question at once.
	turnGuess = 20 * time.Second
	// maxWait bounds one wait: without a wake (a process that died
	// holding a turn) a question looks again at least this often.
	maxWait = 10 * time.Minute
	// nextInLine is the snooze of a question whose turn has come while a
	// later question of its user, passing through its own check, still
	// counts as running.
	nextInLine = time.Second
	// countedAhead is how many waiting questions of each state (available,
	// scheduled, retryable) a check counts at most: enough for maxWait.
	countedAhead = 100
	// checksAtOnce is how many checks one process runs at once: a flood
	// that reaches idle workers all at once queues here, in memory,
	// rather than for the pool connections the acknowledgements need.
	checksAtOnce = 2
)

// turns keeps each user's questions in line.
type turns struct {
	pool *pgxpool.Pool
	// max is MaxQuestionsPerUser; 0 means no line.
	max   int
	lines *lines
	// checks holds a token for each check running (checksAtOnce).
	checks chan struct{}
	log    *slog.Logger
}

func newTurns(pool *pgxpool.Pool, maxPerUser int, log *slog.Logger) turns {
	return turns{pool: pool, max: maxPerUser, lines: newLines(), checks: make(chan struct{}, checksAtOnce), log: log}
}

// place is where a question stands in its user's line.
type place struct {
	// running are the user's other questions being worked on;
	// runningBefore of them were asked before this one.
	running, runningBefore int
	// waitingBefore counts the questions asked before this one that
	// wait, up to countedAhead.
	waitingBefore int
}

// ahead is how many of the user's questions stand before this one.
func (p place) ahead() int { return p.running + p.waitingBefore }

// look decides whether job must wait: for a wait decided without the
// database when it stands behind a long line (behindLongLine), else by
// the place in line it reads. At most checksAtOnce looks run at once.
func (t turns) look(ctx context.Context, job *river.Job[Work], snoozes int64) (place, time.Duration, error) {
	select {
	case t.checks <- struct{}{}:
		defer func() { <-t.checks }()
	case <-ctx.Done():
		return place{}, 0, fmt.Errorf("find the question's turn: %w", ctx.Err())
	}
	if wait, ok := t.behindLongLine(job, snoozes); ok {
		return place{}, wait, nil
	}
	p, err := t.find(ctx, job)
	return p, 0, err
}

// find reads where job stands in its user's line.
func (t turns) find(ctx context.Context, job *river.Job[Work]) (place, error) {
	var p place
	work := job.Args
	err := t.pool.QueryRow(ctx, turnSQL, work.TeamID, work.UserID, job.ID, countedAhead).
		Scan(&p.running, &p.runningBefore, &p.waitingBefore)
	if err != nil {
		return place{}, fmt.Errorf("find the question's turn: %w", err)
	}
	return p, nil
}

// snooze is how long a question at p waits before it looks again, after
// snoozes earlier waits. Only questions asked after it hold it back when
// fewer than max were asked before it: they are passing through their
// own check, or were let in before it was stored, and it looks again
// soon. Otherwise it waits for the turns before it, doubled for every
// earlier wait that ended with the line unmoved, so that a long wait
// costs a few looks, not one every few seconds.
func (t turns) snooze(p place, snoozes int64) time.Duration {
	if p.runningBefore+p.waitingBefore < t.max {
		return nextInLine + rand.N(nextInLine/2)
	}
	d := t.waitFor(p.runningBefore + p.waitingBefore)
	for range min(snoozes, 10) {
		d = min(2*d, maxWait)
	}
	return d + rand.N(d/10+1)
}

// waitFor is how long a question with ahead questions before it should
// wait for its turn, at most maxWait.
func (t turns) waitFor(ahead int) time.Duration {
	turnsAhead := max(ahead-t.max+1, 1)
	return min(turnGuess*time.Duration(turnsAhead)/time.Duration(t.max), maxWait)
}

// follow wakes the next question in line whenever a question this process
// worked on is finished (answered, given up or cancelled), until events
// closes. A question that failed and will be retried keeps its turn.
func (t turns) follow(ctx context.Context, events <-chan *river.Event) {
	for ev := range events {
		if ev.Job == nil || ev.Job.Kind != (Work{}).Kind() || !finished(ev.Job.State) {
			continue
		}
		var work Work
		if err := json.Unmarshal(ev.Job.EncodedArgs, &work); err != nil || work.Action != ActionQuestion || work.UserID == "" {
			continue
		}
		inLine, err := t.wakeNext(ctx, work)
		if err != nil {
			// The next question still looks again when its snooze ends.
			t.log.WarnContext(ctx, "could not wake the next question in line", slog.String("user", work.UserID), slog.Any("error", err))
			continue
		}
		t.lines.left(work.TeamID, work.UserID, inLine)
	}
}

// wakeNext wakes the questions of work's user whose turn has come, and
// returns how many questions the user has in line, up to longLine.
func (t turns) wakeNext(ctx context.Context, work Work) (int, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	var inLine, woken int
	err := t.pool.QueryRow(ctx, nextTurnsSQL, work.TeamID, work.UserID, t.max, max(longLine, t.max)).Scan(&inLine, &woken)
	if err != nil {
		return 0, fmt.Errorf("wake the next question: %w", err)
	}
	if woken > 0 {
		t.log.DebugContext(ctx, "woke the next questions in line", slog.String("user", work.UserID), slog.Int("woken", woken))
	}
	return inLine, nil
}

func finished(s rivertype.JobState) bool {
	return s == rivertype.JobStateCompleted || s == rivertype.JobStateCancelled || s == rivertype.JobStateDiscarded
}
