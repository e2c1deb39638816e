package main

import (
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/readonly"
)

// TestAskTableKeepsEachRowOnOneLine: a value with a line break or a tab
// neither starts a new row nor shifts the columns of the terminal table.
func TestAskTableKeepsEachRowOnOneLine(t *testing.T) {
	t.Parallel()
	res := &readonly.Result{
		Columns: []readonly.Column{{Name: "bio", Type: "text"}, {Name: "n", Type: "int4"}},
		Rows:    [][]any{{"line1\nline2", int64(1)}, {"a\tb", int64(2)}},
		Texts:   [][]string{{"line1\nline2", "1"}, {"a\tb", "2"}},
	}
	var out strings.Builder
	printAnswer(&out, "cli-t", &agent.Answer{Text: "Two rows.", Result: res, NoModel: true})
	text := out.String()
	for _, want := range []string{"\nline1\\nline2  1\n", "\na\\tb          2\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("the table lacks the row %q:\n%s", want, text)
		}
	}
}
