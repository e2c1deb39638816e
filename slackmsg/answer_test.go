package slackmsg

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/history"
)

func TestAnswerGolden(t *testing.T) {
	t.Parallel()
	failed := &agent.Answer{Status: history.StatusFailed, Error: "dial tcp 10.0.0.1:443: connection refused"}
	cases := map[string]*agent.Answer{
		"answer_three_rows":    threeRows(),
		"answer_truncated":     truncatedThousand(),
		"answer_single_value":  singleValue(),
		"answer_no_result":     noResult(),
		"answer_partial":       partial(),
		"answer_mixed_values":  mixed(),
		"answer_failed":        failed,
		"answer_huge_too_wide": huge(),
		"answer_daily_14":      dailySeries(14),
		"answer_daily_90":      dailySeries(90),
	}
	for name, ans := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkGolden(t, name, Answer(ans, 42))
		})
	}
}

// blockTypes lists the types of a message's blocks in order.
func blockTypes(blocks []slack.Block) []slack.MessageBlockType {
	var types []slack.MessageBlockType
	for _, b := range blocks {
		types = append(types, b.BlockType())
	}
	return types
}

func find[B slack.Block](blocks []slack.Block) (B, bool) {
	for _, b := range blocks {
		if x, ok := b.(B); ok {
			return x, true
		}
	}
	var zero B
	return zero, false
}

func TestAnswerCarriesShowSQLAndExportCSVButtons(t *testing.T) {
	t.Parallel()
	for _, ans := range []*agent.Answer{threeRows(), singleValue(), noResult(), partial(), huge()} {
		m := Answer(ans, 42)
		if fb, ok := find[*slack.ContextActionsBlock](m.Blocks); !ok {
			t.Errorf("no feedback buttons in %v", blockTypes(m.Blocks))
		} else if e := fb.Elements.ElementSet[0].(*slack.FeedbackButtonsBlockElement); e.PositiveButton.Value != "up:42" || e.NegativeButton.Value != "down:42" {
			t.Errorf("feedback values %q/%q, want up:42/down:42", e.PositiveButton.Value, e.NegativeButton.Value)
		}
		actions, ok := find[*slack.ActionBlock](m.Blocks)
		if !ok {
			t.Fatalf("no actions block in %v", blockTypes(m.Blocks))
		}
		var ids []string
		for _, e := range actions.Elements.ElementSet {
			b, ok := e.(*slack.ButtonBlockElement)
			if !ok {
				t.Fatalf("action element %T is not a button", e)
			}
			ids = append(ids, b.ActionID)
			if b.Value != "42" {
				t.Errorf("button %s value = %q, want the history id 42", b.ActionID, b.Value)
			}
		}
		if strings.Join(ids, ",") != "show_sql,export_csv" {
			t.Errorf("action ids = %v, want exactly show_sql and export_csv", ids)
		}
	}
}

func TestAnswerButtonsHaveNoValueWithoutHistoryID(t *testing.T) {
	t.Parallel()
	actions, _ := find[*slack.ActionBlock](Answer(threeRows(), 0).Blocks)
	for _, e := range actions.Elements.ElementSet {
		if v := e.(*slack.ButtonBlockElement).Value; v != "" {
			t.Errorf("value = %q, want empty", v)
		}
	}
}

func TestLegacyTableShowsHeaderAndAlignsNumbers(t *testing.T) {
	t.Parallel()
	table, ok := find[*slack.TableBlock](Renderer{LegacyTable: true}.Answer(threeRows(), 1).Blocks)
	if !ok {
		t.Fatal("a three-row result has no table")
	}
	if len(table.Rows) != 4 {
		t.Fatalf("table has %d rows, want a header and 3 rows", len(table.Rows))
	}
	head, ok := table.Rows[0][0].(*slack.TableRichTextCell)
	if !ok {
		t.Fatalf("header cell is %T, want rich text", table.Rows[0][0])
	}
	text := head.Elements[0].(*slack.RichTextSection).Elements[0].(*slack.RichTextSectionTextElement)
	if text.Text != "platform" || text.Style == nil || !text.Style.Bold {
		t.Errorf("header cell = %+v, want bold \"platform\"", text)
	}
	aligns := []slack.ColumnAlignment{table.ColumnSettings[0].Align, table.ColumnSettings[1].Align, table.ColumnSettings[2].Align}
	if aligns[0] != slack.ColumnAlignmentLeft || aligns[1] != slack.ColumnAlignmentRight || aligns[2] != slack.ColumnAlignmentRight {
		t.Errorf("alignments = %v, want text left and numbers right", aligns)
	}
	if got := table.Rows[3][1].(*slack.TableRawTextCell).Text; got != "12,345" {
		t.Errorf("orders cell = %q, want 12,345", got)
	}
	if got := table.Rows[3][2].(*slack.TableRawTextCell).Text; got != "1,234.57" {
		t.Errorf("revenue cell = %q, want 1,234.57", got)
	}
	if got := table.Rows[1][2].(*slack.TableRawTextCell).Text; got != "48,210.50" {
		t.Errorf("revenue cell = %q, want decimals aligned as 48,210.50", got)
	}
}

func TestAnswerSingleValueHasNoTable(t *testing.T) {
	t.Parallel()
	m := Answer(singleValue(), 1)
	if _, ok := find[*slack.TableBlock](m.Blocks); ok {
		t.Errorf("a single value got a table: %v", blockTypes(m.Blocks))
	}
}

func TestAnswerFooterSaysWhatWasCut(t *testing.T) {
	t.Parallel()
	m := Answer(truncatedThousand(), 1)
	footer, ok := find[*slack.ContextBlock](m.Blocks)
	if !ok {
		t.Fatal("no footer")
	}
	got := footer.ContextElements.Elements[0].(*slack.TextBlockObject).Text
	for _, want := range []string{"1,000 rows", "cut at the row cap", "first 100 shown", "1.2 s", "$0.0031", "*export csv*"} {
		if !strings.Contains(got, want) {
			t.Errorf("footer %q lacks %q", got, want)
		}
	}
	table, _ := find[*slack.DataTableBlock](m.Blocks)
	if len(table.Rows) != 101 {
		t.Errorf("data table has %d rows, want a header and 100 rows", len(table.Rows))
	}
}

func TestLegacyTableFooterSaysWhatWasCut(t *testing.T) {
	t.Parallel()
	m := Renderer{LegacyTable: true}.Answer(truncatedThousand(), 1).Message
	footer, ok := find[*slack.ContextBlock](m.Blocks)
	if !ok {
		t.Fatal("no footer")
	}
	got := footer.ContextElements.Elements[0].(*slack.TextBlockObject).Text
	for _, want := range []string{"1,000 rows", "cut at the row cap", "first 20 shown", "1.2 s", "$0.0031", "*export csv*"} {
		if !strings.Contains(got, want) {
			t.Errorf("footer %q lacks %q", got, want)
		}
	}
	table, _ := find[*slack.TableBlock](m.Blocks)
	if len(table.Rows) != 21 {
		t.Errorf("table has %d rows, want a header and 20 rows", len(table.Rows))
	}
}

func TestAnswerTooLargeSaysSoAndPointsToExport(t *testing.T) {
	t.Parallel()
	ans := huge()
	ans.Text = strings.Repeat("A very long answer & more <text>. ", 400)
	m := Answer(ans, 1)
	footer, _ := find[*slack.ContextBlock](m.Blocks)
	got := footer.ContextElements.Elements[0].(*slack.TextBlockObject).Text
	if !strings.Contains(got, "export csv") {
		t.Errorf("footer %q does not point to export csv", got)
	}
}

func TestAnswerCannotPingTheChannel(t *testing.T) {
	t.Parallel()
	ans := singleValue()
	ans.Text = "Total: 5 <!channel> <!here|here> <!subteam^S123>"
	m := Answer(ans, 1)
	for _, s := range []string{m.Text, string(blocksJSON(t, m))} {
		if strings.Contains(s, "<!") || strings.Contains(s, `\u003c!`) {
			t.Errorf("message can still broadcast: %s", s)
		}
	}
}

func TestAnswerFailedHidesTheError(t *testing.T) {
	t.Parallel()
	m := Answer(&agent.Answer{Status: history.StatusFailed, Error: "pq: password authentication failed for user bot"}, 0)
	if strings.Contains(m.Text, "password") || strings.Contains(string(blocksJSON(t, m)), "password") {
		t.Errorf("the internal error reached the user: %s", m.Text)
	}
	if !strings.HasPrefix(m.Text, "Sorry, I couldn't answer that") {
		t.Errorf("text = %q", m.Text)
	}
	if _, ok := find[*slack.ActionBlock](m.Blocks); ok {
		t.Error("a failed answer offers Show SQL and Export CSV, but has no SQL of its own")
	}
}

// allMessages is every kind of message, including the largest inputs.
func allMessages() map[string]Message {
	longSQL := strings.Repeat("SELECT a, b, c FROM t WHERE x < 10 AND y > 20 AND z <> 'a & b'\nUNION ALL\n", 400)
	oneLineSQL := strings.Repeat("x<1 AND ", 3000)
	longText := strings.Repeat("Revenue & <costs> are \"up\" by 12% — ", 500)
	bigAnswer := huge()
	bigAnswer.Text = longText
	return map[string]Message{
		"three rows":          Answer(threeRows(), 7),
		"truncated":           Answer(truncatedThousand(), 7),
		"single value":        Answer(singleValue(), 7),
		"no result":           Answer(noResult(), 7),
		"partial":             Answer(partial(), 7),
		"mixed":               Answer(mixed(), 7),
		"huge":                Answer(huge(), 7),
		"huge with long text": Answer(bigAnswer, 7),
		"legacy huge":         Renderer{LegacyTable: true}.Answer(bigAnswer, 7).Message,
		"legacy truncated":    Renderer{LegacyTable: true}.Answer(truncatedThousand(), 7).Message,
		"daily series":        Answer(dailySeries(14), 7),
		"long daily series":   Answer(dailySeries(90), 7),
		"feedback thanks":     FeedbackThanks(),
		"empty":               Answer(&agent.Answer{}, 0),
		"nil":                 Answer(nil, 0),
		"working":             Working("what was revenue last week?"),
		"working long":        Working(longText),
		"working empty":       Working(""),
		"sql":                 SQL(threeRows().SQL, "revenue by platform"),
		"sql long":            SQL(longSQL, longText),
		"sql one line":        SQL(oneLineSQL, "q"),
		"sql empty":           SQL("", "q"),
		"no sql yet":          NoSQLYet(),
		"failure":             Failure("the database took too long"),
		"failure long":        Failure(longText),
		"failure empty":       Failure(""),
		"refusal":             Refusal(),
		"export started":      ExportStarted(),
		"exported":            Exported(12345, false),
		"exported truncated":  Exported(1_000_000, true),
		"exported none":       Exported(0, false),
	}
}

func TestEveryMessageFitsSlack(t *testing.T) {
	t.Parallel()
	for name, m := range allMessages() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if strings.TrimSpace(m.Text) == "" {
				t.Error("fallback text is empty")
			}
			if n := utf8.RuneCountInString(m.Text); n > maxTextRunes {
				t.Errorf("fallback text has %d runes, more than %d", n, maxTextRunes)
			}
			if len(m.Blocks) == 0 {
				t.Error("no blocks")
			}
			if err := Check(m.Blocks); err != nil {
				t.Error(err)
			}
			for _, b := range m.Blocks {
				checkLimits(t, b)
			}
		})
	}
}

// checkLimits checks the per-block limits Slack enforces.
func checkLimits(t *testing.T, b slack.Block) {
	t.Helper()
	switch x := b.(type) {
	case *slack.SectionBlock:
		if err := x.Text.Validate(); err != nil {
			t.Errorf("section text: %v", err)
		}
	case *slack.ContextBlock:
		for _, e := range x.ContextElements.Elements {
			if err := e.(*slack.TextBlockObject).Validate(); err != nil {
				t.Errorf("context text: %v", err)
			}
		}
	case *slack.TableBlock:
		if len(x.Rows) > 100 || len(x.ColumnSettings) > 20 {
			t.Errorf("table is %d rows with %d column settings", len(x.Rows), len(x.ColumnSettings))
		}
		for _, row := range x.Rows {
			if len(row) > 20 || len(row) != len(x.ColumnSettings) {
				t.Errorf("row has %d cells for %d columns", len(row), len(x.ColumnSettings))
			}
			for _, c := range row {
				if raw, ok := c.(*slack.TableRawTextCell); ok && raw.Text == "" {
					t.Error("empty raw_text cell; Slack rejects it")
				}
			}
		}
	}
}

func TestBlocksSurviveASlackRoundTrip(t *testing.T) {
	t.Parallel()
	for name, m := range allMessages() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data := blocksJSON(t, m)
			var back slack.Blocks
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			want, got := blockTypes(m.Blocks), blockTypes(back.BlockSet)
			if len(got) != len(want) {
				t.Fatalf("block types = %v, want %v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("block %d is %s, want %s", i, got[i], want[i])
				}
			}
			again, err := json.Marshal(back)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(data) {
				t.Errorf("JSON changed in the round trip:\n got %s\nwant %s", again, data)
			}
		})
	}
}
