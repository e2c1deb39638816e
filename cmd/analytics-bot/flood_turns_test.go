package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

// turnLog records, from the model's side, when each question of a flood
// starts (its first model turn) and ends (its answer), and what stood
// around it when it started.
type turnLog struct {
	mu      sync.Mutex
	started map[int]bool
	ended   map[int]bool
	// mostAtOnce is the most questions between start and end at once;
	// overtaken lists, per question, the earlier ones not yet started
	// when it started.
	mostAtOnce int
	overtaken  map[int][]int
}

func newTurnLog() *turnLog {
	return &turnLog{started: map[int]bool{}, ended: map[int]bool{}, overtaken: map[int][]int{}}
}

func (l *turnLog) start(q int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started[q] {
		return // a retried turn
	}
	l.started[q] = true
	for earlier := range q {
		if !l.started[earlier] {
			l.overtaken[q] = append(l.overtaken[q], earlier)
		}
	}
	atOnce := 0
	for s := range l.started {
		if !l.ended[s] {
			atOnce++
		}
	}
	l.mostAtOnce = max(l.mostAtOnce, atOnce)
}

func (l *turnLog) end(q int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ended[q] = true
}

// turnModel answers question "TURN <n>" with one query, holding its turn
// for hold, and logs it.
func turnModel(log *turnLog, hold time.Duration) func(fake.ChatRequest) fake.Response {
	return func(req fake.ChatRequest) fake.Response {
		var q int
		_, text, _ := strings.Cut(req.LastUserMessage(), "TURN ")
		if _, err := fmt.Sscan(text, &q); err != nil {
			return fake.Reply("not a flood question")
		}
		if len(req.ToolResults()) == 0 {
			log.start(q)
			return fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": platformSQL}))
		}
		time.Sleep(hold)
		log.end(q)
		return fake.Reply(fmt.Sprintf("%s %d", floodAnswer, q))
	}
}

// One person's flood is answered in the order it was asked, at most
// MAX_QUESTIONS_PER_USER questions at a time, and a question that waits
// costs a look at most, however long it waits: it is woken when its turn
// comes instead of looking again every few seconds, and one that arrives
// behind a long line is stored waiting without a look. The person is told
// that their questions wait, but not once for every question of a flood.
func TestOneUsersFloodIsAnsweredInTurnAtFewLooks(t *testing.T) {
	t.Parallel()
	const first, questions, perUser = 12, 20, 2
	logs := &lockedBuffer{}
	bot := newTestBot(t, botOptions{logs: logs, env: map[string]string{"MAX_QUESTIONS_PER_USER": fmt.Sprint(perUser), "WORKERS": "16"}})
	log := newTurnLog()
	// Each question holds its turn for a second, so the last one waits
	// about ten: looking every few seconds would take it four looks or more.
	bot.model.Handle(turnModel(log, time.Second))

	ts := func(q int) string { return fmt.Sprintf("1700001%03d.000100", q) }
	ask := func(from, to int) {
		for q := from; q < to; q++ {
			bot.sendEvent(userMention("UTURNS", "C100", fmt.Sprintf("TURN %d", q), ts(q)))
		}
	}
	ask(0, first)
	waitUntil(t, time.Minute, "the bot sees a line of ten", func() bool { return longestLineLogged(logs.String()) >= 10 })
	ask(first, questions) // behind a line of ten
	for q := range questions {
		bot.waitForTextWithin(2*time.Minute, "C100", ts(q), fmt.Sprintf("%s %d", floodAnswer, q))
	}
	// Once the line is gone, the next question is not held back by it.
	ask(questions, questions+1)
	bot.waitForText("C100", ts(questions), fmt.Sprintf("%s %d", floodAnswer, questions))

	log.mu.Lock()
	defer log.mu.Unlock()
	if log.mostAtOnce > perUser {
		t.Errorf("%d of the user's questions were worked on at once, want at most %d", log.mostAtOnce, perUser)
	}
	for q, earlier := range log.overtaken {
		if len(earlier) > perUser-1 {
			t.Errorf("question %d started before the earlier questions %v: want arrival order, %d at a time", q, earlier, perUser)
		}
	}
	looks := jobSnoozes(t, bot, "UTURNS")
	if len(looks) != questions+1 {
		t.Fatalf("found %d question jobs, want %d", len(looks), questions+1)
	}
	for q := range questions + 1 {
		text, n := fmt.Sprintf("TURN %d", q), looks[fmt.Sprintf("TURN %d", q)]
		switch {
		case q >= first && q < questions && n > 0:
			t.Errorf("%q arrived behind a long line and was snoozed %d times, want none: stored waiting, woken in its turn", text, n)
		case n > 2:
			t.Errorf("%q was snoozed %d times while it waited, want a look or two", text, n)
		}
	}
	notes := 0
	for _, m := range bot.slack.Messages() {
		if m.Ephemeral && m.User == "UTURNS" {
			notes++
		}
	}
	if notes == 0 || notes >= first-perUser {
		t.Errorf("the user got %d notes that a question waits, want some, not one per waiting question", notes)
	}
}

// jobSnoozes returns, for each question job of user, how often River
// snoozed it.
func jobSnoozes(t *testing.T, bot *testBot, user string) map[string]int {
	t.Helper()
	rows, err := bot.db.Pool.Query(context.Background(), `
SELECT args->>'text', coalesce((metadata->>'snoozes')::int, 0) FROM analytics_bot.river_job
WHERE kind = 'slack_work' AND args->>'action' = 'question' AND args->>'user_id' = $1`, user)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var text string
		var n int
		if err := rows.Scan(&text, &n); err != nil {
			t.Fatal(err)
		}
		out[text] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// longestLineLogged is the longest line of questions a "question waits for
// its turn" log line reports: the questions running and waiting before
// the one that waits, and that one.
func longestLineLogged(logs string) int {
	longest := 0
	for _, line := range strings.Split(logs, "\n") {
		var rec struct {
			Msg           string `json:"msg"`
			Running       int    `json:"running"`
			WaitingBefore int    `json:"waiting_before"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "question waits for its turn" {
			longest = max(longest, rec.Running+rec.WaitingBefore+1)
		}
	}
	return longest
}
