package slackmsg

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/chart"
	"github.com/analytics-bot/analytics-bot/readonly"
)

func TestDailySeriesGetsANativeLineChartAndNumericTable(t *testing.T) {
	t.Parallel()
	ans := dailySeries(14)
	m := Renderer{}.Answer(ans, 5)
	if m.Picture != chart.None {
		t.Errorf("picture = %q, want none next to a native chart", m.Picture)
	}
	viz, ok := find[*slack.DataVisualizationBlock](m.Blocks)
	if !ok {
		t.Fatalf("no data_visualization block in %v", blockTypes(m.Blocks))
	}
	line, ok := viz.Chart.(*slack.DataVisualizationLineChart)
	if !ok {
		t.Fatalf("chart is %T, want a line chart", viz.Chart)
	}
	if n := len(line.Series[0].Data); n != 14 {
		t.Errorf("line has %d points, want 14", n)
	}
	if got := line.Series[0].Data[13]; got.Label != "2026-01-14" || got.Value != 1130 {
		t.Errorf("last point = %+v, want 2026-01-14 = 1130", got)
	}
	table, ok := find[*slack.DataTableBlock](m.Blocks)
	if !ok {
		t.Fatal("no data_table")
	}
	if table.Caption == "" || table.PageSize != 10 {
		t.Errorf("caption %q, page size %d", table.Caption, table.PageSize)
	}
	if _, ok := table.Rows[0][1].(*slack.DataTableRawTextCell); !ok {
		t.Errorf("header cell is %T, want raw_text", table.Rows[0][1])
	}
	for i, row := range table.Rows[1:] {
		n, ok := row[1].(*slack.DataTableRawNumberCell)
		if !ok {
			t.Fatalf("row %d dau is %T, want raw_number so that it sorts as a number", i, row[1])
		}
		if want := float64(1000 + 10*i); n.Value != want || n.Text != formatInt(int64(want), false) {
			t.Errorf("row %d dau = %v %q, want %v", i, n.Value, n.Text, want)
		}
	}
	if m.Markdown == "" || len(m.Tail) == 0 || len(m.Tail) >= len(m.Blocks) {
		t.Errorf("stream parts: markdown %q, %d tail blocks of %d", m.Markdown, len(m.Tail), len(m.Blocks))
	}
}

func TestNinetyDaysAreAveragedPerWeek(t *testing.T) {
	t.Parallel()
	m := Renderer{}.Answer(dailySeries(90), 5)
	viz, ok := find[*slack.DataVisualizationBlock](m.Blocks)
	if !ok {
		t.Fatalf("no native chart in %v (picture %q)", blockTypes(m.Blocks), m.Picture)
	}
	if !strings.Contains(viz.Title, "weekly average") {
		t.Errorf("title %q does not say the days were averaged per week", viz.Title)
	}
	line := viz.Chart.(*slack.DataVisualizationLineChart)
	if n := len(line.AxisConfig.Categories); n < 13 || n > 14 {
		t.Errorf("%d weeks, want 13 or 14", n)
	}
	// 2026-01-01 is a Thursday: its week starts on Monday 2025-12-29 and
	// holds Jan 1–4, whose DAU average is 1,015.
	if p := line.Series[0].Data[0]; p.Label != "2025-12-29" || p.Value != 1015 {
		t.Errorf("first week = %+v, want 2025-12-29 = 1015", p)
	}
	if m.Picture != chart.None {
		t.Errorf("picture %q as well as a native chart", m.Picture)
	}
	table, _ := find[*slack.DataTableBlock](m.Blocks)
	if len(table.Rows) != 91 {
		t.Errorf("table has %d rows, want the header and all 90 days", len(table.Rows))
	}
}

func TestChartThatDoesNotFitIsAPicture(t *testing.T) {
	t.Parallel()
	// 40 hourly points: no weekly averaging for hours, so no native chart.
	res := &readonly.Result{Columns: []readonly.Column{{Name: "hour", Type: "timestamptz"}, {Name: "events", Type: "int8"}}}
	start := day("2026-01-01")
	for i := range 40 {
		res.Rows = append(res.Rows, []any{start.Add(time.Hour * time.Duration(i)), int64(i)})
	}
	m := Renderer{}.Answer(answered("Events per hour.", res), 5)
	if _, ok := find[*slack.DataVisualizationBlock](m.Blocks); ok {
		t.Error("a native chart for 40 categories")
	}
	if m.Picture != chart.Line {
		t.Errorf("picture = %q, want a line chart uploaded", m.Picture)
	}
	if m := (Renderer{NoCharts: true}).Answer(answered("x", res), 5); m.Picture != chart.None {
		t.Errorf("NoCharts still asks for a picture")
	}
}

func TestSingleValueHasNoChartAndNoTable(t *testing.T) {
	t.Parallel()
	m := Renderer{}.Answer(singleValue(), 5)
	for _, b := range m.Blocks {
		switch b.(type) {
		case *slack.DataTableBlock, *slack.DataVisualizationBlock, *slack.TableBlock:
			t.Errorf("a single value got a %s block", b.BlockType())
		}
	}
	if m.Picture != chart.None {
		t.Errorf("a single value asks for a picture %q", m.Picture)
	}
}

func TestDataTableDropsRowsToFitTheCellBudget(t *testing.T) {
	t.Parallel()
	m := Answer(huge(), 5)
	table, ok := find[*slack.DataTableBlock](m.Blocks)
	if !ok {
		t.Fatal("no data_table")
	}
	if err := Check(m.Blocks); err != nil {
		t.Fatal(err)
	}
	if n := len(table.Rows[0]); n != 20 {
		t.Errorf("%d columns, want Slack's 20", n)
	}
	if n := dataTableChars(table); n > dataTableMaxChars {
		t.Errorf("%d characters in cells", n)
	}
	footer, _ := find[*slack.ContextBlock](m.Blocks)
	if got := footer.ContextElements.Elements[0].(*slack.TextBlockObject).Text; !strings.Contains(got, "shown") || !strings.Contains(got, "export csv") {
		t.Errorf("footer %q does not say what was cut", got)
	}
}

func TestCheckRefusesWhatSlackRefuses(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 3001)
	noCaption := slack.NewDataTableBlock("")
	noCaption.AddRow(slack.NewDataTableRawTextCell("a")).AddRow(slack.NewDataTableRawTextCell("b"))
	numberHeader := slack.NewDataTableBlock("c")
	numberHeader.AddRow(slack.NewDataTableRawNumberCell(1)).AddRow(slack.NewDataTableRawNumberCell(2))
	ragged := slack.NewDataTableBlock("c")
	ragged.AddRow(slack.NewDataTableRawTextCell("a"), slack.NewDataTableRawTextCell("b")).AddRow(slack.NewDataTableRawTextCell("c"))
	tooLong := slack.NewDataTableBlock("c")
	tooLong.AddRow(slack.NewDataTableRawTextCell("a")).AddRow(slack.NewDataTableRawTextCell(strings.Repeat("y", 10_001)))
	axis := slack.NewDataVisualizationAxisConfig("a", "b")
	longTitle := slack.NewDataVisualizationBlock(strings.Repeat("t", 51), slack.NewDataVisualizationLineChart(axis,
		slack.NewDataVisualizationDataSeries("s", slack.NewDataVisualizationDataPoint("a", 1), slack.NewDataVisualizationDataPoint("b", 2))))
	chartOK := slack.NewDataVisualizationBlock("ok", slack.NewDataVisualizationLineChart(axis,
		slack.NewDataVisualizationDataSeries("s", slack.NewDataVisualizationDataPoint("a", 1), slack.NewDataVisualizationDataPoint("b", 2))))
	cases := map[string][]slack.Block{
		"section over 3,000":   {section(long)},
		"data_table caption":   {noCaption},
		"number in header":     {numberHeader},
		"ragged rows":          {ragged},
		"10,001 cell chars":    {tooLong},
		"chart title over 50":  {longTitle},
		"three charts":         {chartOK, chartOK, chartOK},
		"feedback w/o buttons": {slack.NewContextActionsBlock("", slack.NewFeedbackButtonsBlockElement("f", nil, nil))},
	}
	for name, blocks := range cases {
		if err := Check(blocks); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := Check([]slack.Block{chartOK, chartOK}); err != nil {
		t.Errorf("two charts refused: %v", err)
	}
}
