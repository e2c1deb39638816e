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
	if got := (&Catalog{}).Summary(); got != "(no readable tables)\n" {
		t.Errorf("empty summary = %q", got)
	}
}

func TestSummaryOfManyTablesStaysWithinBudget(t *testing.T) {
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
	summary := cat.Summary()
	if len(summary) > 20_000 {
		t.Errorf("summary of 400 tables is %d characters", len(summary))
	}
	if !strings.Contains(summary, "public.events_000 (") {
		t.Error("the first table is not summarised in full")
	}
	if !strings.Contains(summary, "public.events_200") {
		t.Error("tables past the full blocks are not listed by name")
	}
	if !strings.Contains(summary, "more tables") || !strings.Contains(summary, "describe_schema") {
		t.Error("a cut summary should point to describe_schema")
	}
}
