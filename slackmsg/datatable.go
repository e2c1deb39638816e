package slackmsg

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// Slack's limits on the data_table block, and how much of them we use.
const (
	// dataTableMaxRows is Slack's limit on rows under the header.
	dataTableMaxRows = 100
	// dataTableMaxCols is Slack's limit on columns.
	dataTableMaxCols = 20
	// dataTableMaxChars is Slack's limit on the characters of all cells
	// of one message.
	dataTableMaxChars = 10_000
	// dataTableBudget leaves a margin under dataTableMaxChars.
	dataTableBudget = 9_500
	// dataCellRunes cuts one cell, so that one long value does not cost
	// every other row.
	dataCellRunes = 200
	// dataTablePageSize is the rows a reader sees per page.
	dataTablePageSize = 10
)

// dataTable renders up to 100 rows and 20 columns of res as a sortable,
// filterable data_table: a raw_text header, and raw_number cells (value
// plus formatted text) in columns where every shown value is a number,
// so that Slack sorts them as numbers. Rows are dropped, never cells cut
// further, until all cells fit Slack's character budget. The shape says
// how much was shown.
func dataTable(res *readonly.Result) (*slack.DataTableBlock, shape) {
	ncols := min(len(res.Columns), dataTableMaxCols)
	nrows := min(len(res.Rows), dataTableMaxRows)
	cols := columnsOf(res, ncols)
	numeric := make([]bool, ncols)
	for j := range ncols {
		numeric[j] = numberColumn(res, j, nrows, cols[j].typ)
	}

	header := make([]slack.DataTableCell, ncols)
	used := 0
	for j, c := range cols {
		text := cellText(Plain(c.name), dataCellRunes)
		used += utf8.RuneCountInString(text)
		header[j] = slack.NewDataTableRawTextCell(text)
	}
	t := slack.NewDataTableBlock(caption(res, ncols)).WithPageSize(dataTablePageSize)
	t.AddRow(header...)
	shown := 0
	for i, row := range res.Rows[:nrows] {
		cells := make([]slack.DataTableCell, ncols)
		size := 0
		for j, c := range cols {
			var v any
			if j < len(row) {
				v = row[j]
			}
			text := tableCell(res, i, j, v, c)
			text = cellText(Plain(text), dataCellRunes)
			size += utf8.RuneCountInString(text)
			if n, ok := number(v); ok && numeric[j] {
				cells[j] = slack.NewDataTableRawNumberCell(n).WithText(text)
			} else {
				cells[j] = slack.NewDataTableRawTextCell(text)
			}
		}
		if used+size > dataTableBudget {
			break
		}
		used += size
		t.AddRow(cells...)
		shown++
	}
	if shown == 0 {
		// Not even one row fits: one row saying so keeps the block valid.
		cells := make([]slack.DataTableCell, ncols)
		for j := range cells {
			cells[j] = slack.NewDataTableRawTextCell("…")
		}
		cells[0] = slack.NewDataTableRawTextCell("too large to show; say export csv")
		t.AddRow(cells...)
	}
	return t, shape{rows: shown, cols: ncols}
}

// numberColumn reports whether every shown value of column j is a number
// (NULLs included as not numbers: Slack sorts a column numerically only
// when all its cells are raw_number).
func numberColumn(res *readonly.Result, j, nrows int, typ string) bool {
	for _, row := range res.Rows[:nrows] {
		if j >= len(row) {
			return false
		}
		if _, text := row[j].(string); text && !numericTypes[typ] {
			return false
		}
		if _, ok := number(row[j]); !ok {
			return false
		}
	}
	return nrows > 0
}

// number is a cell's numeric value; numeric columns may arrive as text
// to keep their precision.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case float32:
		f := float64(x)
		return f, !math.IsNaN(f) && !math.IsInf(f, 0)
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// caption says what the table is: its columns and how many rows.
func caption(res *readonly.Result, ncols int) string {
	names := make([]string, 0, ncols)
	for _, c := range res.Columns[:ncols] {
		names = append(names, oneLine(Plain(c.Name)))
	}
	return cut(fmt.Sprintf("Query result (%s): %s", count(len(res.Rows)), strings.Join(names, ", ")), 150)
}
