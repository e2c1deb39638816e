package knowledge_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/knowledge"
)

func TestVerifyReportsAQueryThatDoesNotPrepareAsTheReadonlyRole(t *testing.T) {
	t.Parallel()
	f := setup(t)
	dir := writeDir(t, map[string]string{"verified.yaml": `verified:
  - id: fine
    question: DAU yesterday?
    sql: SELECT sum(dau) FROM app_metrics WHERE day = current_date - 1
  - id: no-such-table
    question: Orders?
    sql: SELECT count(*) FROM orders_that_do_not_exist
  - id: a-write
    question: Delete?
    sql: DELETE FROM app_metrics
  - id: private
    question: History?
    sql: SELECT count(*) FROM analytics_bot.knowledge_verified
  - id: two-statements
    question: Two?
    sql: SELECT 1; SELECT 2
`})
	set, problems, err := knowledge.Load(dir)
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	good, problems, err := knowledge.Verify(t.Context(), set, f.ro)
	if err != nil {
		t.Fatal(err)
	}
	var broken []string
	for _, p := range problems {
		broken = append(broken, p.ID)
		if p.File != "verified.yaml" || p.Line == 0 || !strings.Contains(p.Message, "read-only role") {
			t.Errorf("problem lacks its place or reason: %v", p)
		}
	}
	if want := []string{"no-such-table", "a-write", "private", "two-statements"}; !slices.Equal(broken, want) {
		t.Errorf("broken = %v, want %v", broken, want)
	}
	if len(good.Verified) != 1 || good.Verified[0].ID != "fine" {
		t.Errorf("kept %+v", good.Verified)
	}
}

func TestBuiltinVerifiedQueriesAllPrepareOnTheDemoData(t *testing.T) {
	t.Parallel()
	f := setup(t)
	set, _, _ := knowledge.Load("")
	_, problems, err := knowledge.Verify(t.Context(), set, f.ro)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%v", p)
	}
	// And each answers its question on the demo data with some rows.
	for _, v := range set.Verified {
		res, err := f.ro.Query(t.Context(), v.SQL)
		if err != nil {
			t.Errorf("%s: %v", v.ID, err)
		} else if len(res.Rows) == 0 {
			t.Errorf("%s: no rows", v.ID)
		}
	}
}

func TestExactMatchIgnoresCaseSpacingAndPunctuationButNotWording(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.builtin(t)
	for _, q := range []string{"what was DAU by platform last week?", "  What was dau by platform, last week", "last week's DAU per platform!"} {
		v, err := f.store.Exact(t.Context(), q)
		if err != nil || v == nil || v.ID != "dau-by-platform-last-week" {
			t.Errorf("Exact(%q) = %+v, %v", q, v, err)
		}
	}
	for _, q := range []string{"what was DAU by platform the week before last?", "what was DAU by country last week?"} {
		if v, _ := f.store.Exact(t.Context(), q); v != nil {
			t.Errorf("a near match %q must not be exact: got %s", q, v.ID)
		}
	}
}

func TestSearchFindsParaphrasesAndSynonyms(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.builtin(t)
	for q, want := range map[string]string{
		"how much money did each platform bring in last week?": "revenue-by-platform-last-week",
		"average revenue per daily active user by platform":    "arpdau-by-platform-last-30-days",
		"which platform crashes the most?":                     "crash-rate-by-platform-last-week",
		"signups by country last week":                         "new-users-by-country-last-week",
		"DAU per platform for last week":                       "dau-by-platform-last-week",
	} {
		r, err := f.store.Search(t.Context(), q, 3)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range r.Verified {
			ids = append(ids, m.ID)
		}
		if !slices.Contains(ids, want) {
			t.Errorf("Search(%q) top 3 = %v, want %s among them", q, ids, want)
		}
	}
	r, _ := f.store.Search(t.Context(), "what were sign-ups in Brazil month to date", 3)
	var terms []string
	for _, term := range r.Terms {
		terms = append(terms, term.Term)
	}
	for _, want := range []string{"new users", "month to date"} {
		if !slices.Contains(terms, want) {
			t.Errorf("terms = %v, want %q (named through a synonym)", terms, want)
		}
	}
	if slices.Contains(terms, "ARPDAU") {
		t.Errorf("terms = %v: ARPDAU is not named by the question", terms)
	}
}

func TestRetrievalStaysWithinItsBudgetWith2000VerifiedQueries(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if _, err := f.store.Sync(t.Context(), synthetic(2000, 500)); err != nil {
		t.Fatal(err)
	}
	if v, terms, _ := f.store.Counts(t.Context()); v < 2000 || terms < 500 {
		t.Fatalf("stored %d verified, %d terms", v, terms)
	}
	r, err := f.store.Search(t.Context(), "sessions split by channel over the last 30 days for group 1234, with DAU, revenue and metric 7", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Verified) == 0 || r.Verified[0].ID != "synthetic-1234" {
		t.Errorf("best match = %+v, want synthetic-1234", r.Verified)
	}
	for _, budget := range []int{600, 200, 80} {
		p := r.Render(budget)
		if p.Tokens > budget {
			t.Errorf("budget %d: the knowledge part has %d tokens", budget, p.Tokens)
		}
		t.Logf("budget %d: %d tokens, %d verified, %d terms", budget, p.Tokens, len(p.Verified), len(p.Terms))
	}
	if p := r.Render(600); len(p.Verified) == 0 || !strings.Contains(p.Text, "synthetic-1234") {
		t.Errorf("a 600-token budget holds the best match:\n%s", p.Text)
	}
}

func TestACuratorsApprovalIsLiveAtOnceAndRejectionNever(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.builtin(t)
	q := "How many crashes did Android have yesterday?"
	sql := "SELECT sum(crashes) FROM app_metrics WHERE platform = 'android' AND day = current_date - 1"
	p, err := f.store.Propose(t.Context(), knowledge.Proposal{Question: q, SQL: sql, HistoryID: 42, By: "UCURATOR"})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.store.Exact(t.Context(), q); v != nil {
		t.Fatal("a proposal must not be used before approval")
	}
	pending, err := f.store.PendingList(t.Context(), 10)
	if err != nil || len(pending) != 1 || pending[0].ID != p.ID || pending[0].ProposedBy != "UCURATOR" || pending[0].HistoryID != 42 {
		t.Fatalf("pending = %+v, %v", pending, err)
	}
	if _, err := f.store.Review(t.Context(), p.ID, "UCURATOR2", true); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.store.Exact(t.Context(), q); v == nil || v.ID != p.ID {
		t.Fatalf("approved proposal not matched: %+v", v)
	}
	if v, _ := f.store.BySQL(t.Context(), strings.ToUpper(sql)+";"); v == nil || v.ID != p.ID {
		t.Fatalf("approved proposal not found by its SQL: %+v", v)
	}
	if _, err := f.store.Review(t.Context(), p.ID, "UCURATOR2", false); err != knowledge.ErrNotPending {
		t.Fatalf("reviewing twice: %v", err)
	}

	r, _ := f.store.Propose(t.Context(), knowledge.Proposal{Question: "Wrong?", SQL: "SELECT 1", HistoryID: 43, By: "UCURATOR"})
	if _, err := f.store.Review(t.Context(), r.ID, "UCURATOR", false); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.store.Exact(t.Context(), "Wrong?"); v != nil {
		t.Fatal("a rejected proposal must never be used")
	}

	// Reloading the files keeps what curators approved.
	if _, err := f.store.Sync(t.Context(), synthetic(3, 0)); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.store.Exact(t.Context(), q); v == nil {
		t.Fatal("reloading the files dropped an approved proposal")
	}
}

func TestExportRoundTripsThroughCheck(t *testing.T) {
	t.Parallel()
	f := setup(t)
	set := f.builtin(t)
	p, _ := f.store.Propose(t.Context(), knowledge.Proposal{
		Question: "Crashes on iOS yesterday?", SQL: "SELECT sum(crashes)\nFROM app_metrics\nWHERE platform = 'ios' AND day = current_date - 1;",
		HistoryID: 7, By: "UCURATOR",
	})
	if _, err := f.store.Review(t.Context(), p.ID, "UCURATOR", true); err != nil {
		t.Fatal(err)
	}
	approved, err := f.store.Approved(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := knowledge.WriteVerified(&out, approved); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, knowledge.VerifiedFile), out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	back, problems, err := knowledge.Load(dir)
	if err != nil || len(problems) > 0 {
		t.Fatalf("exported YAML does not load: %v %v\n%s", err, problems, out.String())
	}
	if _, problems, err = knowledge.Verify(t.Context(), back, f.ro); err != nil || len(problems) > 0 {
		t.Fatalf("exported YAML does not check: %v %v", err, problems)
	}
	if len(back.Verified) != len(set.Verified)+1 {
		t.Fatalf("exported %d entries, want %d", len(back.Verified), len(set.Verified)+1)
	}
	for i, v := range set.Verified {
		b := back.Verified[i]
		if b.ID != v.ID || b.Question != v.Question || knowledge.NormalizeSQL(b.SQL) != knowledge.NormalizeSQL(v.SQL) ||
			!slices.Equal(b.Paraphrases, v.Paraphrases) || b.Description != v.Description {
			t.Errorf("entry %s changed on the way:\n%+v\n%+v", v.ID, v, b)
		}
	}
	if last := back.Verified[len(back.Verified)-1]; last.ID != p.ID || last.Owner != "UCURATOR" {
		t.Errorf("the approved proposal is exported last with its owner: %+v", last)
	}
}
