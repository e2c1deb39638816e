package slackmsg

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/readonly"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares a message's JSON with testdata/<name>.golden.
func checkGolden(t *testing.T, name string, m Message) {
	t.Helper()
	got := pretty(t, m)
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
		t.Errorf("%s differs from the golden file (run with -update if the change is intended); got:\n%s", path, got)
	}
}

// pretty is the message as Slack's chat.postMessage would receive it,
// indented and with <, > and & unescaped so that the golden files read
// well.
func pretty(t *testing.T, m Message) []byte {
	t.Helper()
	payload := struct {
		Text   string       `json:"text"`
		Blocks slack.Blocks `json:"blocks"`
	}{m.Text, slack.Blocks{BlockSet: m.Blocks}}
	compact, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Indent(&b, compact, "", "  "); err != nil {
		t.Fatal(err)
	}
	b.WriteByte('\n')
	return []byte(htmlUnescaper.Replace(b.String()))
}

var htmlUnescaper = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

// blocksJSON is the JSON of the blocks as slack-go sends it.
func blocksJSON(t *testing.T, m Message) []byte {
	t.Helper()
	b, err := json.Marshal(slack.Blocks{BlockSet: m.Blocks})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// answered wraps a result in a finished answer with fixed cost and time.
func answered(text string, res *readonly.Result) *agent.Answer {
	return &agent.Answer{
		Text: text, Result: res, Status: history.StatusAnswered,
		SQL:     "SELECT platform, count(*) AS orders, sum(amount) AS revenue\nFROM orders\nGROUP BY 1\nORDER BY 3 DESC",
		Latency: 1234 * time.Millisecond, CostUSD: 0.0031, Turns: 2,
	}
}

func threeRows() *agent.Answer {
	return answered("Last week *iOS* led with *$48,210.50* in revenue from 1,204 orders (Nov 16–22, all platforms).",
		&readonly.Result{
			Columns: []readonly.Column{{Name: "platform", Type: "text"}, {Name: "orders", Type: "int8"}, {Name: "revenue", Type: "numeric"}},
			Rows: [][]any{
				{"ios", int64(1204), 48210.5},
				{"android", int64(987), 31877.25},
				{"web", int64(12345), 1234.567},
			},
		})
}

func truncatedThousand() *agent.Answer {
	res := &readonly.Result{
		Columns:   []readonly.Column{{Name: "day", Type: "date"}, {Name: "signups", Type: "int8"}, {Name: "conversion", Type: "float8"}},
		Truncated: true,
	}
	start := day("2024-01-01")
	for i := range 1000 {
		res.Rows = append(res.Rows, []any{start.AddDate(0, 0, i), int64(1000 + i*37), float64(i%100) / 7})
	}
	return answered("Signups grew every month of 2024; the daily series is below.", res)
}

func singleValue() *agent.Answer {
	return answered("There were *1,204* orders on iOS last week (Nov 16–22).", &readonly.Result{
		Columns: []readonly.Column{{Name: "orders", Type: "int8"}},
		Rows:    [][]any{{int64(1204)}},
	})
}

func noResult() *agent.Answer {
	a := answered("Do you mean *orders placed* or *orders shipped* last week?", nil)
	a.SQL = ""
	return a
}

func partial() *agent.Answer {
	a := answered("Revenue by platform so far:\n\n_I could not finish: I reached the limit of 8 steps before finishing. The latest result I got (2 rows) is below; it may not fully answer the question. Try a narrower question._",
		&readonly.Result{
			Columns: []readonly.Column{{Name: "platform", Type: "text"}, {Name: "revenue", Type: "numeric"}},
			Rows:    [][]any{{"ios", 48210.5}, {"android", 31877.25}},
		})
	a.Status = history.StatusPartial
	a.Error = "I reached the limit of 8 steps before finishing"
	return a
}

func mixed() *agent.Answer {
	return answered("Here are the four most recent orders; one has no coupon.", &readonly.Result{
		Columns: []readonly.Column{
			{Name: "order_id", Type: "int8"}, {Name: "placed_at", Type: "timestamptz"}, {Name: "ship_date", Type: "date"},
			{Name: "amount", Type: "numeric"}, {Name: "coupon", Type: "text"}, {Name: "share", Type: "float8"},
			{Name: "year", Type: "numeric"}, {Name: "gift", Type: "bool"}, {Name: "discount", Type: "numeric"},
		},
		Rows: [][]any{
			{int64(100234), time.Date(2024, 11, 22, 18, 30, 0, 0, time.UTC), day("2024-11-25"), 1234567.891, "BLACKFRIDAY", 0.1234, float64(2024), true, nil},
			{int64(100233), time.Date(2024, 11, 22, 18, 29, 41, 0, time.UTC), nil, -5.5, nil, 0.00043, float64(2024), false, 0.0},
			{int64(100232), time.Date(2024, 11, 22, 0, 0, 0, 0, time.UTC), day("2024-11-24"), 0.0, "", 1.0, float64(2024), nil, 12.0},
			{int64(100231), time.Date(2024, 11, 21, 9, 5, 0, 0, time.UTC), day("2024-11-24"), 19.99, "a coupon code that is much longer than anything a table cell should hold, with\nnewlines\tand tabs", nil, float64(2023), false, nil},
		},
	})
}

// huge is a 100-column × 1,000-row result of long strings.
func huge() *agent.Answer {
	res := &readonly.Result{Truncated: true}
	for j := range 100 {
		res.Columns = append(res.Columns, readonly.Column{Name: fmt.Sprintf("a_rather_long_column_name_number_%03d", j), Type: "text"})
	}
	long := strings.Repeat("long <text> & \"quotes\" ", 20)
	for i := range 1000 {
		row := make([]any, 100)
		for j := range row {
			row[j] = fmt.Sprintf("%d/%d %s", i, j, long)
		}
		res.Rows = append(res.Rows, row)
	}
	return answered("Here is everything you asked for.", res)
}

// dailySeries is daily DAU over n days starting 2026-01-01 (a Thursday).
func dailySeries(n int) *agent.Answer {
	res := &readonly.Result{Columns: []readonly.Column{{Name: "day", Type: "date"}, {Name: "dau", Type: "int8"}}}
	start := day("2026-01-01")
	for i := range n {
		res.Rows = append(res.Rows, []any{start.AddDate(0, 0, i), int64(1000 + 10*i)})
	}
	return answered(fmt.Sprintf("DAU grew every day over the %d days.", n), res)
}
