package slackmsg

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/chart"
	"github.com/analytics-bot/analytics-bot/history"
)

// Action ids of the buttons under every answer; the Slack handler routes
// button clicks on them.
const (
	ActionShowSQL   = "show_sql"
	ActionExportCSV = "export_csv"
	// ActionSchedule opens the schedule modal for the answer.
	ActionSchedule = "schedule_open"
)

// Budgets for the answer text: the prompt asks the model to be brief, and
// the text must leave room for the table.
const (
	maxAnswerRunes = 6_000
	maxAnswerJSON  = 7_000
)

// Renderer renders answers. Its zero value is the safe default: no links
// kept in model text, results in a data_table block, and a native chart
// when the result fits Slack's limits.
type Renderer struct {
	// Links says which links in the model's text stay links.
	Links LinkPolicy
	// LegacyTable shows results in the older table block, for where
	// Slack refuses data_table.
	LegacyTable bool
	// PictureCharts never uses a native chart: a chart is uploaded as a
	// picture (AnswerMessage.Picture) instead.
	PictureCharts bool
	// NoCharts turns charts off altogether (CHARTS=false).
	NoCharts bool
	// ScheduleButton adds "Schedule…" to answers that have SQL
	// (SCHEDULES=true).
	ScheduleButton bool
	// Verify offers the Verify button (there are curators to press it).
	Verify bool
}

// AnswerMessage is an answer rendered for Slack, whole and in the two
// parts a stream needs.
type AnswerMessage struct {
	// Message is the whole answer as one message.
	Message
	// Markdown is the answer's text as markdown, for a stream's
	// markdown_text.
	Markdown string
	// Tail is the blocks under the text (chart, table, footer, buttons),
	// which end a stream.
	Tail []slack.Block
	// Picture is the kind of chart to upload as a PNG, because no native
	// chart fits; chart.None when there is none to upload. An answer has
	// a native chart or a picture, never both.
	Picture chart.Kind
}

// Answer renders an answer with the safe defaults (Renderer's zero value):
// its text, a native chart when one fits, its result as a data_table,
// a footer with the row count, time and cost, the Show SQL and Export CSV
// buttons and the feedback buttons. historyID is the question's
// query_history row, carried by the buttons (0 leaves them without one).
// This is the one function every feature that posts an answer uses.
func Answer(ans *agent.Answer, historyID int64) Message {
	return Renderer{}.Answer(ans, historyID).Message
}

// Answer renders an answer; see the package function Answer. A failed
// answer has no Show SQL and Export CSV buttons: there is no SQL of its
// own to show. A result too large for a message is cut, and the footer
// says so and points to "export csv".
func (r Renderer) Answer(ans *agent.Answer, historyID int64) AnswerMessage {
	if ans == nil {
		f := Failure("")
		return AnswerMessage{Message: f, Markdown: f.Text, Picture: chart.None}
	}
	text := r.answerText(ans)
	out := AnswerMessage{Markdown: cut(markdown(text), maxAnswerRunes), Picture: chart.None}
	out.Text = cut(text, maxTextRunes)
	head := textBlocks(text)
	var actions []slack.Block
	if ans.Status != history.StatusFailed {
		b := buttons(historyID)
		if r.ScheduleButton && historyID > 0 && ans.SQL != "" {
			b.Elements.ElementSet = append(b.Elements.ElementSet, slack.NewButtonBlockElement(ActionSchedule,
				strconv.FormatInt(historyID, 10), slack.NewTextBlockObject(slack.PlainTextType, "Schedule…", false, false)))
		}
		if r.Verify && historyID > 0 && ans.SQL != "" && ans.Verified == nil {
			b.Elements.ElementSet = append(b.Elements.ElementSet, verifyButton(historyID))
		}
		actions = append(actions, b)
	}
	if historyID > 0 {
		actions = append(actions, feedback(historyID))
	}
	var visual []slack.Block
	if !r.NoCharts && ans.Result != nil && ans.Status != history.StatusFailed {
		kind := chart.Choose(ans.Result, ans.Chart)
		if v, ok := nativeChart(ans.Result, kind); ok && !r.PictureCharts {
			visual = append(visual, v)
		} else {
			out.Picture = kind
		}
	}
	res := ans.Result
	var tail []slack.Block
	switch {
	case !tabular(res):
		tail = withFooter(visual, footer(ans, nil, false), actions)
	case r.LegacyTable:
		tail = legacyTail(ans, len(blocksJSONOf(head)), visual, actions)
	default:
		table, s := dataTable(res)
		tail = withFooter(append(visual, table), footer(ans, &s, false), actions)
	}
	if ans.Verified != nil {
		tail = append([]slack.Block{verifiedLine(ans.Verified)}, tail...)
	}
	out.Tail = tail
	out.Blocks = append(slices.Clone(head), tail...)
	if err := Check(out.Blocks); err != nil && !r.LegacyTable {
		// Never send what Slack would refuse: the older table block is
		// the fallback for a data_table or chart that breaks a limit.
		legacy := r
		legacy.LegacyTable, legacy.PictureCharts = true, true
		return legacy.Answer(ans, historyID)
	}
	return out
}

// legacyTail is the tail with the older table block, shrunk until the
// whole message fits the JSON budget that block needs.
func legacyTail(ans *agent.Answer, headSize int, visual, actions []slack.Block) []slack.Block {
	res := ans.Result
	ncols := min(len(res.Columns), maxTableCols)
	cols := columnsOf(res, ncols)
	s := shape{rows: min(len(res.Rows), maxTableRows), cols: ncols, cellRunes: maxCellRunes}
	for ok := true; ok; s, ok = s.shrink() {
		blocks := append(slices.Clone(visual), buildTable(res, cols, s))
		blocks = withFooter(blocks, footer(ans, &s, false), actions)
		if headSize+blocksSize(blocks) <= maxBlocksJSON {
			return blocks
		}
	}
	return withFooter(visual, footer(ans, nil, true), actions)
}

func blocksJSONOf(blocks []slack.Block) []byte {
	b, _ := json.Marshal(slack.Blocks{BlockSet: blocks})
	return b
}

// answerText is the model's mrkdwn made safe to post, or a plain sentence
// when the model gave none.
func (r Renderer) answerText(ans *agent.Answer) string {
	text := strings.TrimSpace(ans.Text)
	if text == "" {
		if ans.Status == history.StatusFailed {
			// ans.Error is for the log, not for the user.
			return failureText("")
		}
		return "I have no answer to show for that. Try rephrasing the question."
	}
	return r.Links.mrkdwn(text)
}

// textBlocks splits text into sections that Slack accepts, shortening it
// until its JSON leaves room for the table.
func textBlocks(text string) []slack.Block {
	budget := maxAnswerRunes
	for {
		var blocks []slack.Block
		for _, part := range split(cut(text, budget), maxSectionRunes) {
			s := verbatimSection(part)
			s.Expand = true // show the whole answer, no "see more"
			blocks = append(blocks, s)
		}
		if budget <= 500 || blocksSize(blocks) <= maxAnswerJSON {
			return blocks
		}
		budget = budget * 2 / 3
	}
}

// footer is the answer's context line: "12 rows · 1.2 s · $0.0031", with
// what was cut and how to get everything. s is the table's shape, nil
// when there is no table; dropped means the table did not fit at all.
func footer(ans *agent.Answer, s *shape, dropped bool) string {
	var parts []string
	more := false
	if res := ans.Result; res != nil {
		p := count(len(res.Rows))
		if res.Truncated {
			p += " (cut at the row cap)"
			more = true
		}
		parts = append(parts, p)
		if s != nil && s.rows < len(res.Rows) {
			parts = append(parts, fmt.Sprintf("first %d shown", s.rows))
			more = true
		}
		if s != nil && s.cols < len(res.Columns) {
			parts = append(parts, fmt.Sprintf("first %d of %d columns shown", s.cols, len(res.Columns)))
			more = true
		}
		if dropped {
			parts = append(parts, "too large to show here")
			more = true
		}
	}
	if ans.Latency > 0 {
		parts = append(parts, seconds(ans.Latency))
	}
	if ans.CostUSD > 0 {
		parts = append(parts, dollars(ans.CostUSD))
	}
	if ans.NoModel {
		parts = append(parts, "no model call")
	}
	if ans.DataRole != "" {
		parts = append(parts, "data role "+ans.DataRole)
	}
	if more {
		parts = append(parts, "say *export csv* for everything")
	}
	return strings.Join(parts, " · ")
}

// count is "no rows", "1 row" or "1,234 rows".
func count(n int) string {
	switch n {
	case 0:
		return "no rows"
	case 1:
		return "1 row"
	}
	return group(strconv.Itoa(n)) + " rows"
}

// seconds is a latency for people: "850 ms", "1.2 s", "2 min 5 s".
func seconds(d time.Duration) string {
	switch {
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
}

// dollars is a cost: four decimals below a dollar ($0.0031), else cents.
func dollars(c float64) string {
	if c < 1 {
		return fmt.Sprintf("$%.4f", c)
	}
	return fmt.Sprintf("$%.2f", c)
}

// withFooter appends the footer line and the buttons, when there are.
func withFooter(blocks []slack.Block, footer string, actions []slack.Block) []slack.Block {
	if footer != "" {
		blocks = append(blocks, contextLine(footer))
	}
	return append(blocks, actions...)
}

// buttons is the actions block with Show SQL and Export CSV. The value
// carries only the history id, never SQL or anything secret.
func buttons(historyID int64) *slack.ActionBlock {
	value := ""
	if historyID > 0 {
		value = strconv.FormatInt(historyID, 10)
	}
	button := func(actionID, label string) *slack.ButtonBlockElement {
		return slack.NewButtonBlockElement(actionID, value, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
	}
	return slack.NewActionBlock("", button(ActionShowSQL, "Show SQL"), button(ActionExportCSV, "Export CSV"))
}
