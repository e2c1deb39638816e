package knowledge_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/knowledge"
	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/readonly"
)

type fixture struct {
	db    *pgtest.DB
	ro    *readonly.DB
	store *knowledge.Store
}

// setup returns a migrated database with 60 days of demo data and an
// empty knowledge store.
func setup(tb testing.TB) fixture {
	tb.Helper()
	db := pgtest.NewMigrated(tb)
	if _, err := demodata.Load(tb.Context(), db.Pool, 60, time.Now().UTC().AddDate(0, 0, -1)); err != nil {
		tb.Fatalf("demo data: %v", err)
	}
	if _, err := demodata.LoadProduct(tb.Context(), db.Pool); err != nil {
		tb.Fatalf("product demo data: %v", err)
	}
	store, err := knowledge.NewStore(tb.Context(), db.Pool)
	if err != nil {
		tb.Fatal(err)
	}
	return fixture{db: db, ro: readonly.New(db.Readonly, readonly.Options{}), store: store}
}

// builtin loads the demo knowledge into the store.
func (f fixture) builtin(tb testing.TB) *knowledge.Set {
	tb.Helper()
	set, problems, err := knowledge.Load("")
	if err != nil || len(problems) > 0 {
		tb.Fatalf("load: %v %v", err, problems)
	}
	if _, err := f.store.Sync(tb.Context(), set); err != nil {
		tb.Fatal(err)
	}
	return set
}

// synthetic is a set of n verified queries and m terms on made-up topics,
// plus the demo set, as a large team's knowledge would be.
func synthetic(n, m int) *knowledge.Set {
	set, _, _ := knowledge.Load("")
	metrics := []string{"revenue", "signups", "churn", "refunds", "sessions", "crashes", "orders", "trials", "invoices", "tickets"}
	cuts := []string{"country", "platform", "plan", "channel", "campaign", "cohort", "region", "device", "segment", "team"}
	periods := []string{"yesterday", "last week", "last month", "this quarter", "last 30 days", "year to date", "last 90 days", "last year"}
	for i := range n {
		metric, cut, period := metrics[i%len(metrics)], cuts[(i/10)%len(cuts)], periods[(i/100)%len(periods)]
		set.Verified = append(set.Verified, knowledge.Verified{
			ID:          fmt.Sprintf("synthetic-%04d", i),
			Question:    fmt.Sprintf("What were %s by %s %s for account group %d?", metric, cut, period, i),
			Paraphrases: []string{fmt.Sprintf("%s per %s %s group %d", metric, cut, period, i)},
			SQL:         fmt.Sprintf("SELECT %s, sum(%s) AS total FROM t_%d WHERE period = '%s' GROUP BY 1", cut, metric, i, period),
			Description: fmt.Sprintf("Total %s per %s, %s, group %d, long description to look like a real one written by an analyst", metric, cut, period, i),
		})
	}
	for i := range m {
		set.Terms = append(set.Terms, knowledge.Term{
			Term: fmt.Sprintf("metric %d", i), Synonyms: []string{fmt.Sprintf("kpi number %d", i)},
			Definition: fmt.Sprintf("The %d-th metric of the company, defined by finance", i),
		})
	}
	return set
}
