package slackbot

import (
	"sync"
	"time"
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
	seen   time.Time
}

func newLines() *lines { return &lines{users: map[lineKey]line{}} }

// saw records that a check found length questions in the user's line,
// the checked one included. A check does not see the questions behind
// the one checked, so what it sees never shortens a line seen lately.
func (l *lines) saw(team, user string, length int, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := lineKey{team, user}
	if cur, ok := l.users[k]; ok && now.Sub(cur.seen) < lineFresh {
		length = max(length, cur.length)
	} else if len(l.users) >= linesKept {
		l.dropStale(now)
	}
	l.users[k] = line{length: length, seen: now}
}

// join counts a new question of the user into a long line seen lately
// and returns how many questions stand before it; ok is false when the
// line is short or not known.
func (l *lines) join(team, user string, now time.Time) (ahead int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := lineKey{team, user}
	cur, ok := l.users[k]
	if !ok || now.Sub(cur.seen) >= lineFresh || cur.length < longLine {
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
	ahead, ok := t.lines.join(w.TeamID, w.UserID, now)
	if !ok {
		return time.Time{}
	}
	return now.Add(t.waitFor(ahead))
}
