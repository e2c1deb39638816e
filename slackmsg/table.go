package slackmsg

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// Limits on the result table. Slack allows 100 rows of 20 cells; a chat
// answer shows a glimpse and leaves the rest to "export csv".
const (
	maxTableRows = 20
	maxTableCols = 20
	maxCellRunes = 60
	minCellRunes = 12
	fewRows      = 5
)

// shape says how much of a result the table shows.
type shape struct {
	rows, cols, cellRunes int
}

// shrink returns a smaller shape: fewer rows down to a few, then shorter
// cells, then fewer rows still, then fewer columns. ok is false when
// nothing is left to take away.
func (s shape) shrink() (next shape, ok bool) {
	switch {
	case s.rows > fewRows:
		s.rows = max(fewRows, s.rows*2/3)
	case s.cellRunes > minCellRunes:
		s.cellRunes = max(minCellRunes, s.cellRunes*2/3)
	case s.rows > 1:
		s.rows /= 2
	case s.cols > 1:
		s.cols /= 2
	default:
		return s, false
	}
	return s, true
}

// tabular reports whether a result deserves a table: it has rows and is
// more than the single value the answer text already states.
func tabular(res *readonly.Result) bool {
	return res != nil && len(res.Columns) > 0 && len(res.Rows) > 0 &&
		!(len(res.Columns) == 1 && len(res.Rows) == 1)
}

// column is what the table needs to know about one result column.
type column struct {
	name, typ string
	numeric   bool // right-aligned
	plain     bool // an identifier or a year: no thousands separators
	decimals  int  // the same for every row, so that decimals line up
}

// columnsOf describes the first n columns of res from the rows a table
// can show.
func columnsOf(res *readonly.Result, n int) []column {
	rows := res.Rows[:min(len(res.Rows), maxTableRows)]
	cols := make([]column, n)
	for j := range n {
		c := res.Columns[j]
		col := column{name: c.Name, typ: c.Type, numeric: numericTypes[c.Type], plain: isPlainName(c.Name)}
		values, numbers := 0, 0
		for _, row := range rows {
			if j >= len(row) || row[j] == nil {
				continue
			}
			values++
			switch x := row[j].(type) {
			case int64, int, int32:
				numbers++
			case float64:
				numbers++
				col.decimals = max(col.decimals, decimalsOf(x))
			}
		}
		if values > 0 && numbers == values {
			col.numeric = true
		}
		cols[j] = col
	}
	return cols
}

// isPlainName reports whether a column holds identifiers or years, which
// read wrongly with thousands separators ("2,024").
func isPlainName(name string) bool {
	n := strings.ToLower(name)
	return n == "id" || n == "year" || strings.HasSuffix(n, "_id") || strings.HasSuffix(n, "_year")
}

// buildTable renders the first s.rows rows and s.cols columns of res,
// with a bold header row and numbers aligned right.
func buildTable(res *readonly.Result, cols []column, s shape) *slack.TableBlock {
	cols = cols[:s.cols]
	t := slack.NewTableBlock("")
	settings := make([]slack.ColumnSetting, len(cols))
	header := make([]slack.TableCell, len(cols))
	for j, c := range cols {
		// Slack rejects a column setting without an alignment.
		settings[j] = slack.ColumnSetting{Align: slack.ColumnAlignmentLeft}
		if c.numeric {
			settings[j].Align = slack.ColumnAlignmentRight
		}
		bold := &slack.RichTextSectionTextStyle{Bold: true}
		header[j] = slack.NewTableRichTextCell(slack.NewRichTextSection(
			slack.NewRichTextSectionTextElement(cellText(c.name, s.cellRunes), bold)))
	}
	t.WithColumnSettings(settings...)
	t.AddRow(header...)
	for i, row := range res.Rows[:s.rows] {
		cells := make([]slack.TableCell, len(cols))
		for j, c := range cols {
			var v any
			if j < len(row) {
				v = row[j]
			}
			text := tableCell(res, i, j, v, c)
			cells[j] = slack.NewTableRawTextCell(cellText(text, s.cellRunes))
		}
		t.AddRow(cells...)
	}
	return t
}

// cellText cuts a cell to n runes; an empty cell becomes a space because
// Slack rejects empty text.
func cellText(s string, n int) string {
	if s == "" {
		return " "
	}
	return cut(s, n)
}
