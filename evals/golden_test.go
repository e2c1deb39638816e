package evals_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/eval"
	"github.com/analytics-bot/analytics-bot/evals"
	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/readonly"
)

// TestGoldenFileIsValid checks every entry's fields: Parse refuses unknown
// fields and tags, entries without sql or expect, duplicate ids and
// follow-ups without a thread.
func TestGoldenFileIsValid(t *testing.T) {
	t.Parallel()
	suite, err := eval.Parse(evals.Golden, evals.GoldenPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(suite.Questions); n < 40 {
		t.Errorf("the golden file has %d questions, want at least 40", n)
	}
	threads := map[string]int{}
	used := map[string]bool{}
	for _, q := range suite.Questions {
		if len(q.Tags) == 0 {
			t.Errorf("%s has no tags", q.ID)
		}
		for _, tag := range q.Tags {
			used[tag] = true
		}
		if q.Thread != "" {
			threads[q.Thread]++
			if threads[q.Thread] > 1 && !slices.Contains(q.Tags, eval.TagFollowUp) {
				t.Errorf("%s continues thread %s but is not tagged follow-up", q.ID, q.Thread)
			}
		}
	}
	for _, tag := range eval.Tags {
		if !used[tag] {
			t.Errorf("no question is tagged %s", tag)
		}
	}
	for thread, n := range threads {
		if n < 2 {
			t.Errorf("thread %s has only one question", thread)
		}
	}
}

// TestGoldenReferencesRun runs every reference query as the read-only role
// on the demo data ending yesterday: each must succeed and return rows,
// all of them.
func TestGoldenReferencesRun(t *testing.T) {
	t.Parallel()
	suite, err := eval.Parse(evals.Golden, evals.GoldenPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db := pgtest.NewMigrated(t)
	if _, err := demodata.Load(ctx, db.Pool, 365, time.Now().UTC().AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	if _, err := demodata.LoadProduct(ctx, db.Pool); err != nil {
		t.Fatal(err)
	}
	ro := readonly.New(db.Readonly, readonly.Options{})
	for _, q := range suite.Questions {
		for i, sql := range q.SQL {
			res, err := ro.Query(ctx, sql)
			switch {
			case err != nil:
				t.Errorf("%s, reference %d: the SQL fails: %v", q.ID, i+1, err)
			case len(res.Rows) == 0:
				t.Errorf("%s, reference %d: the SQL returns no rows", q.ID, i+1)
			case res.Truncated:
				t.Errorf("%s, reference %d: the SQL returns more than %d rows", q.ID, i+1, ro.MaxRows())
			}
		}
	}
}
