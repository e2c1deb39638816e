package schema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tiktoken-go/tokenizer"
)

// summaryTokenBudget is the most o200k_base tokens the demo schema's
// summary may cost in the system prompt.
const summaryTokenBudget = 600

func TestSummaryDemo(t *testing.T) {
	t.Parallel()
	_, cat := setupDemo(t)
	checkGolden(t, "summary_demo", cat.Summary())
}

func TestSummaryUserSchema(t *testing.T) {
	t.Parallel()
	_, cat := setupUserSchema(t, false)
	summary := cat.Summary()
	checkGolden(t, "summary_user_schema", summary)
	for _, hidden := range []string{"query_history", "payroll", "salaries", "secrets", "  email "} {
		if strings.Contains(summary, hidden) {
			t.Errorf("summary mentions %q, which the read-only role cannot read", hidden)
		}
	}
}

func TestSummaryTokens(t *testing.T) {
	t.Parallel()
	_, cat := setupDemo(t)
	codec, err := tokenizer.Get(tokenizer.O200kBase)
	if err != nil {
		t.Fatalf("tokenizer: %v", err)
	}
	n, err := codec.Count(cat.Summary())
	if err != nil {
		t.Fatalf("count tokens: %v", err)
	}
	t.Logf("demo schema summary: %d tokens (o200k_base), budget %d", n, summaryTokenBudget)
	if n >= summaryTokenBudget {
		t.Errorf("summary costs %d tokens, want under %d", n, summaryTokenBudget)
	}
}

func TestSummaryEmpty(t *testing.T) {
	t.Parallel()
	if got := (&Catalog{}).Summary(); got != dataNote+"<data>\n(no readable tables)\n</data>\n" {
		t.Errorf("empty summary = %q", got)
	}
}

func TestSummaryOfManyTablesFillsTheBudget(t *testing.T) {
	t.Parallel()
	cat := &Catalog{}
	for i := range 400 {
		table := Table{Schema: "public", Name: fmt.Sprintf("events_%03d", i), Kind: "table", RowEstimate: 1000,
			Comment: strings.Repeat("A table of events. ", 10)}
		for j := range 25 {
			table.Columns = append(table.Columns, Column{Name: fmt.Sprintf("column_%02d", j), Type: "bigint",
				Comment: strings.Repeat("A measure. ", 10)})
		}
		cat.Tables = append(cat.Tables, table)
	}
	sum := cat.summarize(nil)
	if len(sum.Text) > summaryBudget {
		t.Errorf("summary of 400 tables is %d characters, over the budget of %d", len(sum.Text), summaryBudget)
	}
	if !strings.Contains(sum.Text, "public.events_000 (") {
		t.Error("the first table is not summarised in full")
	}
	if !strings.Contains(sum.Text, "  public: ") || !strings.Contains(sum.Text, ", events_399\n") {
		t.Error("tables past the full blocks are not listed by name")
	}
	if !strings.Contains(sum.Text, "by name only") || !strings.Contains(sum.Text, "describe_schema") {
		t.Error("a cut summary should point to describe_schema")
	}
	full := 0
	for _, st := range sum.Tables {
		if st.Detail == DetailFull {
			full++
		}
	}
	if block := len(cat.fullBlocks()[0]) + 1; len(sum.Text)+block <= summaryBudget {
		t.Errorf("%d tables in full leave room for another (%d of %d characters used)", full, len(sum.Text), summaryBudget)
	}
	t.Logf("%d of 400 tables in full, %d characters", full, len(sum.Text))
}

// Tables far under the budget are all described in full, however many.
func TestSummaryDescribesAllTablesInFullWhenTheyFit(t *testing.T) {
	t.Parallel()
	cat := &Catalog{}
	for i := range 24 {
		table := Table{Schema: "public", Name: fmt.Sprintf("t%02d", i), Kind: "table", RowEstimate: 10}
		for j := range 6 {
			table.Columns = append(table.Columns, Column{Name: fmt.Sprintf("c%d", j), Type: "integer", Comment: "A number."})
		}
		cat.Tables = append(cat.Tables, table)
	}
	sum := cat.summarize(nil)
	for _, st := range sum.Tables {
		if st.Detail != DetailFull {
			t.Errorf("%s has detail %q in a %d-character summary", st.Name, st.Detail, len(sum.Text))
		}
	}
	if strings.Contains(sum.Text, "by name only") {
		t.Error("a summary within budget lists tables by name only")
	}
}
