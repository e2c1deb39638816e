package history_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

var (
	thread      = history.Conversation{TeamID: "T1", ChannelID: "C1", ThreadTS: "1700000000.000100", UserID: "U1"}
	otherThread = history.Conversation{TeamID: "T1", ChannelID: "C1", ThreadTS: "1700000999.000100", UserID: "U1"}
	otherTeam   = history.Conversation{TeamID: "T2", ChannelID: "C1", ThreadTS: "1700000000.000100", UserID: "U1"}
)

type fixture struct {
	t     *testing.T
	db    *pgtest.DB
	store *history.Store
}

func setup(t *testing.T) *fixture {
	t.Helper()
	db := pgtest.NewMigrated(t)
	return &fixture{t: t, db: db, store: history.NewStore(db.Pool)}
}

func (f *fixture) record(e history.Entry) int64 {
	f.t.Helper()
	id, err := f.store.Record(context.Background(), e)
	if err != nil {
		f.t.Fatalf("record: %v", err)
	}
	return id
}

func entry(conv history.Conversation, question, sql string, status history.Status) history.Entry {
	return history.Entry{Conversation: conv, Question: question, SQL: sql, RowCount: 7, Answer: "answer: " + question, Model: "gpt-4.1", Status: status}
}

func TestRecordKeepsEveryField(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := history.Entry{
		Conversation: thread, Question: "DAU by platform?", SQL: "SELECT platform, sum(dau) FROM app_metrics GROUP BY 1",
		RowCount: 3, Answer: "iOS leads.", Model: "gpt-4.1-mini", TokensIn: 1200, TokensCached: 1024, TokensOut: 80,
		CostUSD: 0.001234, Latency: 2345 * time.Millisecond, Turns: 2, Status: history.StatusPartial, Error: "turn budget ran out",
	}
	before := time.Now()
	id := f.record(in)
	if id <= 0 {
		t.Fatalf("id = %d", id)
	}

	got, err := f.store.ByID(context.Background(), thread, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != id || got.CreatedAt.Before(before.Add(-time.Minute)) || got.CreatedAt.After(time.Now().Add(time.Minute)) {
		t.Errorf("id %d created %v", got.ID, got.CreatedAt)
	}
	got.ID, got.CreatedAt = 0, time.Time{}
	if got != in {
		t.Errorf("read back %+v\nwant        %+v", got, in)
	}
}

func TestRecordWithoutSQLStoresNulls(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id := f.record(history.Entry{Conversation: thread, Question: "hello?", RowCount: 99, Status: history.StatusFailed})
	var sqlNull, rowCountNull, answerNull, errorNull bool
	err := f.db.Pool.QueryRow(context.Background(),
		"SELECT sql IS NULL, row_count IS NULL, answer IS NULL, error IS NULL FROM analytics_bot.query_history WHERE id = $1", id).
		Scan(&sqlNull, &rowCountNull, &answerNull, &errorNull)
	if err != nil {
		t.Fatal(err)
	}
	if !sqlNull || !rowCountNull || !answerNull || !errorNull {
		t.Errorf("a question without SQL stored sql null=%v row_count null=%v answer null=%v error null=%v; want NULLs",
			sqlNull, rowCountNull, answerNull, errorNull)
	}
}

func TestRecordRefusesAnUnknownStatus(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if _, err := f.store.Record(context.Background(), entry(thread, "q", "", "maybe")); err == nil {
		t.Error("a row with status maybe was recorded")
	}
}

func TestRecentIsThisConversationOldestFirst(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	for i := range 6 {
		f.record(entry(thread, fmt.Sprintf("q%d", i), "", history.StatusAnswered))
		f.record(entry(otherThread, fmt.Sprintf("other thread q%d", i), "", history.StatusAnswered))
		f.record(entry(otherTeam, fmt.Sprintf("other team q%d", i), "", history.StatusAnswered))
	}

	all, err := f.store.Recent(ctx, thread, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := questions(all); fmt.Sprint(got) != "[q0 q1 q2 q3 q4 q5]" {
		t.Errorf("Recent = %v, want this thread's questions oldest first", got)
	}
	last3, err := f.store.Recent(ctx, thread, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := questions(last3); fmt.Sprint(got) != "[q3 q4 q5]" {
		t.Errorf("Recent limit 3 = %v, want the three newest, newest last", got)
	}
	none, err := f.store.Recent(ctx, history.Conversation{TeamID: "T1", ChannelID: "C9", ThreadTS: "1"}, 5)
	if err != nil || len(none) != 0 {
		t.Errorf("Recent of an empty conversation = %v, %v", questions(none), err)
	}
}

func questions(es []history.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Question
	}
	return out
}

func TestLatestAnswered(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()

	if _, err := f.store.LatestAnswered(ctx, thread); !errors.Is(err, history.ErrNotFound) {
		t.Errorf("empty thread: err = %v, want ErrNotFound", err)
	}

	f.record(entry(thread, "first", "SELECT 1", history.StatusAnswered))
	f.record(entry(thread, "partial", "SELECT 2", history.StatusPartial))
	f.record(entry(thread, "failed", "SELECT 3", history.StatusFailed))
	f.record(entry(thread, "refused", "SELECT 4", history.StatusRefused))
	f.record(entry(thread, "no sql", "", history.StatusAnswered))
	f.record(entry(otherThread, "elsewhere", "SELECT 5", history.StatusAnswered))
	f.record(entry(otherTeam, "other team", "SELECT 6", history.StatusAnswered))

	got, err := f.store.LatestAnswered(ctx, thread)
	if err != nil {
		t.Fatal(err)
	}
	if got.Question != "partial" || got.SQL != "SELECT 2" {
		t.Errorf("LatestAnswered = %q %q, want the latest answered or partial question with SQL", got.Question, got.SQL)
	}

	onlyFailed := history.Conversation{TeamID: "T1", ChannelID: "C1", ThreadTS: "only-failed"}
	f.record(entry(onlyFailed, "failed", "SELECT 7", history.StatusFailed))
	if _, err := f.store.LatestAnswered(ctx, onlyFailed); !errors.Is(err, history.ErrNotFound) {
		t.Errorf("thread with only a failed question: err = %v, want ErrNotFound", err)
	}
}

func TestByIDStaysInTheConversation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	mine := f.record(entry(thread, "mine", "SELECT 1", history.StatusAnswered))
	theirs := f.record(entry(otherTeam, "theirs", "SELECT 2", history.StatusAnswered))

	got, err := f.store.ByID(ctx, thread, mine)
	if err != nil || got.Question != "mine" {
		t.Errorf("ByID own question = %q, %v", got.Question, err)
	}
	if _, err := f.store.ByID(ctx, thread, theirs); !errors.Is(err, history.ErrNotFound) {
		t.Errorf("ByID of another conversation's question: err = %v, want ErrNotFound", err)
	}
	if _, err := f.store.ByID(ctx, thread, theirs+1000); !errors.Is(err, history.ErrNotFound) {
		t.Errorf("ByID of a missing id: err = %v, want ErrNotFound", err)
	}
}

func TestPurgeDeletesRowsOlderThanAYear(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	ages := map[string]time.Duration{
		"two years":         2 * 365 * 24 * time.Hour,
		"a year and a day":  366 * 24 * time.Hour,
		"a day under":       364 * 24 * time.Hour,
		"last week":         7 * 24 * time.Hour,
		"just now":          0,
		"a year less 1 min": 365*24*time.Hour - time.Minute,
	}
	now := time.Now()
	for name, age := range ages {
		id := f.record(entry(thread, name, "", history.StatusAnswered))
		if _, err := f.db.Pool.Exec(ctx, "UPDATE analytics_bot.query_history SET created_at = $1 WHERE id = $2", now.Add(-age), id); err != nil {
			t.Fatal(err)
		}
	}

	purged, err := f.store.Purge(ctx, now.Add(-365*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if purged != 2 {
		t.Errorf("purged %d rows, want the 2 older than a year", purged)
	}
	left, err := f.store.Recent(ctx, thread, 100)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, e := range left {
		kept[e.Question] = true
	}
	for name, age := range ages {
		old := age > 365*24*time.Hour
		if kept[name] == old {
			t.Errorf("%s old: kept = %v", name, kept[name])
		}
	}

	again, err := f.store.Purge(ctx, now.Add(-365*24*time.Hour))
	if err != nil || again != 0 {
		t.Errorf("second purge = %d, %v; want 0", again, err)
	}
}
