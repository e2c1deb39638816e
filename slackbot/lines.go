package slackbot

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/riverqueue/river"
)

// A question that arrives while its user already has a long line is
// stored waiting (a scheduled job) and woken in its turn. Otherwise each
// question of a flood of thousands is fetched, checked and snoozed as it
// arrives, and that work competes with the acknowledgements of everyone
// else's questions. This process learns how long a user's line is from
// its own checks and from the questions it finishes; a line it has not
// seen lately is never assumed, and a shorter line checks every question
// as it arrives (and notes it to the user when it waits).
const (
	// longLine is how many of a user's questions must stand in line before
	// the next one is stored waiting.
	longLine = 10
	// lineFresh is how long what a check saw of a line is trusted.
	lineFresh = time.Minute
	// linesKept bounds how many users' lines are remembered.
	linesKept = 10_000
)

// lines remembers how long each user's line was when this process last
// saw it.
type lines struct {
	mu    sync.Mutex
	users map[lineKey]line
}

type lineKey struct{ team, user string }

type line struct {
	// length counts the user's questions in line, running and waiting.
	length int
	// first is the earliest question (job id) a check found waiting for
	// earlier ones: a question after it cannot be next.
	first int64
	seen  time.Time
}

func newLines() *lines { return &lines{users: map[lineKey]line{}} }

// saw records that a check found length questions in the user's line,
// the one checked included, and that question waiting, if it waits for
// earlier ones (0 if not). A check does not see the questions behind the
// one checked, so what it sees never shortens a line seen lately.
func (l *lines) saw(team, user string, length int, waiting int64, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := lineKey{team, user}
	cur, ok := l.users[k]
	switch {
	case !ok || now.Sub(cur.seen) >= lineFresh:
		if len(l.users) >= linesKept {
			l.dropStale(now)
		}
		cur = line{}
	case waiting == 0 || (cur.first != 0 && cur.first < waiting):
		waiting = cur.first
	}
	l.users[k] = line{length: max(length, cur.length), first: waiting, seen: now}
}

// join counts question id of the user into a long line seen lately, when
// it stands behind a question seen waiting for earlier ones (a question
// not yet stored, id 0, does), and returns how many questions stand
// before it; ok is false when the line is short, not known, or the
// question may be next.
func (l *lines) join(team, user string, id int64, now time.Time) (ahead int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := lineKey{team, user}
	cur, ok := l.users[k]
	if !ok || now.Sub(cur.seen) >= lineFresh || cur.length < longLine || cur.first == 0 || (id != 0 && id <= cur.first) {
		return 0, false
	}
	cur.length++
	l.users[k] = cur
	return cur.length - 1, true
}

// left records that one of the user's questions finished, leaving
// inLine in line (counted up to longLine). A line that is no longer long
// is forgotten, so that the next question is checked as it arrives.
func (l *lines) left(team, user string, inLine int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := lineKey{team, user}
	cur, ok := l.users[k]
	switch {
	case !ok:
	case inLine < longLine:
		delete(l.users, k)
	default:
		cur.length = max(cur.length-1, inLine)
		l.users[k] = cur
	}
}

// dropStale forgets the lines not seen lately, or all of them when every
// one was: forgetting a line only costs its next question a check.
func (l *lines) dropStale(now time.Time) {
	for k, cur := range l.users {
		if now.Sub(cur.seen) >= lineFresh {
			delete(l.users, k)
		}
	}
	if len(l.users) >= linesKept {
		clear(l.users)
	}
}

// waitingFrom is when a new question should first look for its turn: at
// once (the zero time) unless its user's line is long, then after the
// wait its place in line suggests; its turn wakes it sooner.
func (t turns) waitingFrom(w Work, now time.Time) time.Time {
	if t.max <= 0 || w.Action != ActionQuestion || w.UserID == "" {
		return time.Time{}
	}
	ahead, ok := t.lines.join(w.TeamID, w.UserID, 0, now)
	if !ok {
		return time.Time{}
	}
	return now.Add(t.waitFor(ahead))
}

// behindLongLine returns how long a question should wait, without a look
// at the database, when this is its first look and it stands behind a
// long line of its user's that a check in this process saw lately: a
// flood that reaches idle workers faster than they can look is put in
// line at the cost of a snooze. A question that was stored waiting, woken
// or retried (River moved its scheduled time, or counted an attempt or a
// snooze) always looks: its turn may have come.
func (t turns) behindLongLine(job *river.Job[Work], snoozes int64) (time.Duration, bool) {
	if snoozes > 0 || job.Attempt > 1 || !job.ScheduledAt.Equal(job.CreatedAt) {
		return 0, false
	}
	ahead, ok := t.lines.join(job.Args.TeamID, job.Args.UserID, job.ID, time.Now())
	if !ok {
		return 0, false
	}
	d := t.waitFor(ahead)
	return d + rand.N(d/10+1), true
}
