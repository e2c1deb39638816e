package slackmsg

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/schema"
)

// checkGoldenJSON compares v's indented JSON with testdata/<name>.golden.
func checkGoldenJSON(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append([]byte(htmlUnescaper.Replace(string(got))), '\n')
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./slackmsg/ -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", path, got)
	}
}

// The stream of a question whose first SQL fails and whose retry works.
func TestStreamChunksGolden(t *testing.T) {
	t.Parallel()
	bad := agent.Step{ToolCall: agent.ToolCall{ID: "call_1", Name: "run_readonly_sql", Arguments: `{"sql":"SELECT nope\nFROM app_metrics"}`}}
	badDone := bad
	badDone.Done, badDone.IsError, badDone.Summary = true, true, `column "nope" does not exist <@U1>`
	good := agent.Step{ToolCall: agent.ToolCall{ID: "call_2", Name: "run_readonly_sql", Arguments: `{"sql":"SELECT day, dau FROM app_metrics"}`}}
	goodDone := good
	goodDone.Done, goodDone.Summary, goodDone.Duration, goodDone.RowCount = true, "14 row(s) in 3.2ms", 3*time.Millisecond, 14
	chunks := append(StreamStart("daily DAU <!here> over the last 14 days?"),
		QuestionRead(), StepTask(bad), StepTask(badDone), StepTask(good), StepTask(goodDone))
	m := Renderer{}.Answer(dailySeries(14), 7)
	chartTask, ok := ChartTask(m)
	if !ok {
		t.Fatal("no chart task for a native chart")
	}
	chunks = append(chunks, chartTask, slack.NewMarkdownTextChunk(m.Markdown), Retrying())
	checkGoldenJSON(t, "stream_chunks", chunks)
}

func TestSuggestedPromptsGolden(t *testing.T) {
	t.Parallel()
	checkGoldenJSON(t, "suggested_prompts", SuggestedPrompts(demoCatalog()))
}

// demoCatalog is a small catalog: a daily metrics table, a table of
// categories and amounts, and a table with neither.
func demoCatalog() *schema.Catalog {
	return &schema.Catalog{Tables: []schema.Table{
		{Schema: "public", Name: "notes", RowEstimate: 10, Columns: []schema.Column{{Name: "body", Type: "text"}}},
		{Schema: "public", Name: "app_metrics", RowEstimate: 21900, Columns: []schema.Column{
			{Name: "day", Type: "date"}, {Name: "platform", Type: "text", Values: []string{"ios", "android"}},
			{Name: "dau", Type: "integer"}, {Name: "revenue", Type: "numeric(12,2)"},
		}},
		{Schema: "public", Name: "orders", RowEstimate: 5000, Columns: []schema.Column{
			{Name: "id", Type: "bigint"}, {Name: "country", Type: "text", Values: []string{"US", "DE"}},
			{Name: "amount", Type: "numeric(12,2)"},
		}},
	}}
}
