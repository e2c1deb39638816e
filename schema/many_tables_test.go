package schema

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tiktoken-go/tokenizer"

	"github.com/analytics-bot/analytics-bot/pgtest"
)

// summaryTokenCap is the most o200k_base tokens a summary may cost: the
// character budget at four characters per token.
const summaryTokenCap = summaryBudget / 4

// Domains and entities of the generated 500-table schema: 50 domains of
// 10 tables each, every table with a comment, comments on its columns,
// a foreign key to its domain's accounts table and one to the previous
// entity.
var (
	manyDomains = []string{
		"billing", "marketing", "support", "inventory", "shipping", "payroll", "recruiting", "security", "analytics", "content",
		"forum", "mobile", "search", "ads", "partners", "legal", "finance", "procurement", "warehouse", "fleet",
		"booking", "loyalty", "surveys", "training", "events", "wiki", "crm", "sales", "returns", "catalog",
		"pricing", "tax", "audit", "compliance", "devices", "iot", "sensors", "maps", "weather", "energy",
		"claims", "policies", "clinics", "patients", "pharmacy", "lab", "school", "library", "museum", "tickets",
	}
	manyEntities = []string{"accounts", "contacts", "invoices", "refunds", "orders", "items", "notes", "tasks", "logs", "rates"}
)

// createManyTables creates the 500 tables in schema big and returns the
// read-only role's catalog of them.
func createManyTables(tb testing.TB) (*pgtest.DB, *Catalog) {
	tb.Helper()
	db := pgtest.NewMigrated(tb)
	var b strings.Builder
	b.WriteString("CREATE SCHEMA big;\n")
	for _, d := range manyDomains {
		for k, e := range manyEntities {
			name := d + "_" + e
			fmt.Fprintf(&b, "CREATE TABLE big.%s (id bigint PRIMARY KEY, name text NOT NULL, status text, amount numeric(12,2), created_on date, note text", name)
			if k > 0 {
				fmt.Fprintf(&b, ", account_id bigint REFERENCES big.%s_accounts (id)", d)
			}
			if k > 1 {
				fmt.Fprintf(&b, ", %s_id bigint REFERENCES big.%s_%s (id)", strings.TrimSuffix(manyEntities[k-1], "s"), d, manyEntities[k-1])
			}
			b.WriteString(");\n")
			fmt.Fprintf(&b, "COMMENT ON TABLE big.%s IS 'The %s of the %s department, one row per %s.';\n", name, e, d, strings.TrimSuffix(e, "s"))
			fmt.Fprintf(&b, "COMMENT ON COLUMN big.%s.amount IS 'Amount in US dollars of the %s %s.';\n", name, d, strings.TrimSuffix(e, "s"))
			fmt.Fprintf(&b, "COMMENT ON COLUMN big.%s.status IS 'Where the %s is in its life cycle.';\n", name, strings.TrimSuffix(e, "s"))
			fmt.Fprintf(&b, "INSERT INTO big.%s (id, name, status, amount, created_on) VALUES (1, 'first', 'open', 1.5, '2026-01-01'), (2, 'second', 'closed', 2.5, '2026-02-01');\n", name)
		}
	}
	b.WriteString("GRANT USAGE ON SCHEMA big TO " + pgtest.ReadonlyUser + ";\nGRANT SELECT ON ALL TABLES IN SCHEMA big TO " + pgtest.ReadonlyUser + ";\nANALYZE;\n")
	exec(tb, db.Pool, b.String())
	cat, err := Introspect(tb.Context(), db.Readonly)
	if err != nil {
		tb.Fatalf("Introspect: %v", err)
	}
	return db, cat
}

func countTokens(tb testing.TB, s string) int {
	tb.Helper()
	codec, err := tokenizer.Get(tokenizer.O200kBase)
	if err != nil {
		tb.Fatalf("tokenizer: %v", err)
	}
	n, err := codec.Count(s)
	if err != nil {
		tb.Fatalf("count tokens: %v", err)
	}
	return n
}

func TestSummaryOf500TablesHoldsTheRelevantOnes(t *testing.T) {
	t.Parallel()
	db, cat := createManyTables(t)
	if n := len(slices.DeleteFunc(cat.TableNames(), func(n string) bool { return !strings.HasPrefix(n, "big.") })); n != 500 {
		t.Fatalf("%d generated tables, want 500", n)
	}
	sum, err := cat.SummaryFor(t.Context(), db.Readonly, "How much did billing refund last month, by invoice?")
	if err != nil {
		t.Fatalf("SummaryFor: %v", err)
	}
	if n := countTokens(t, sum.Text); len(sum.Text) > summaryBudget || n > summaryTokenCap {
		t.Errorf("summary is %d characters, %d tokens; budget %d characters, %d tokens", len(sum.Text), n, summaryBudget, summaryTokenCap)
	}
	detail := make(map[string]string)
	for _, st := range sum.Tables {
		detail[st.Name] = st.Detail
	}
	// The matches, and the tables their keys join.
	for _, name := range []string{"big.billing_refunds", "big.billing_invoices", "big.billing_accounts", "big.billing_orders"} {
		if detail[name] != DetailFull {
			t.Errorf("%s has detail %q, want full", name, detail[name])
		}
	}
	if detail["big.wiki_rates"] != DetailName || !strings.Contains(sum.Text, ", wiki_rates") {
		t.Errorf("an unrelated table should be listed by name only, got %q", detail["big.wiki_rates"])
	}
	if !strings.Contains(sum.Text, "big.billing_refunds (~2 rows, key (id)) -- The refunds of the billing department") {
		t.Errorf("billing_refunds is not described in full:\n%s", sum.Text)
	}

	other, err := cat.SummaryFor(t.Context(), db.Readonly, "Which pharmacy tasks are still open?")
	if err != nil {
		t.Fatalf("SummaryFor: %v", err)
	}
	if !strings.Contains(other.Text, "big.pharmacy_tasks (") || strings.Contains(other.Text, "big.billing_refunds (") {
		t.Error("the summary does not follow the question")
	}
	// describe_schema lists every table when asked for all, and gives any
	// table on demand.
	if all := mustDescribe(t, cat, nil); len(all) > describeAllCap || !strings.Contains(all, "  wiki_rates (~2 rows)\n") {
		t.Errorf("describe all is %d characters, want a list of names:\n%.500s", len(all), all)
	}
	if d := mustDescribe(t, cat, []string{"big.wiki_rates"}); !strings.Contains(d, "big.wiki_rates (table") {
		t.Errorf("describe big.wiki_rates:\n%s", d)
	}
}

// BenchmarkTableChoice500 measures choosing and rendering the tables of
// a question's summary over a 500-table schema, and prints the summary's
// tokens and the p50 of the choice.
func BenchmarkTableChoice500(b *testing.B) {
	db, cat := createManyTables(b)
	questions := []string{
		"How much did billing refund last month, by invoice?",
		"Which pharmacy tasks are still open?",
		"Total amount of fleet orders per account in 2026",
		"list the newest museum tickets notes",
		"hello",
	}
	var took []time.Duration
	maxTokens := 0
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		sum, err := cat.SummaryFor(b.Context(), db.Readonly, questions[i%len(questions)])
		took = append(took, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if i < len(questions) {
			maxTokens = max(maxTokens, countTokens(b, sum.Text))
		}
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	p50 := took[len(took)/2]
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(maxTokens), "prompt-tokens")
	b.Logf("500 tables: schema summary at most %d tokens (cap %d), table choice p50 %s over %d questions",
		maxTokens, summaryTokenCap, p50.Round(10*time.Microsecond), len(took))
}
