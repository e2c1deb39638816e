package slackmsg

import (
	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/chart"
	"github.com/analytics-bot/analytics-bot/readonly"
)

// Slack's limits on the data_visualization block.
var nativeLimits = chart.CategoryLimits{MaxLabels: 20, MaxSeries: 6, LabelRunes: 20}

const maxChartTitleRunes = 50

// nativeChart renders res as a data_visualization block when a chart of
// the kind fits Slack's limits (averaging a long daily series per week or
// month, with the title saying so). ok is false when it does not fit,
// and the caller uploads a picture instead.
func nativeChart(res *readonly.Result, kind chart.Kind) (slack.Block, bool) {
	if kind == chart.None {
		return nil, false
	}
	c, err := chart.ToCategories(res, kind, nativeLimits)
	if err != nil {
		return nil, false
	}
	axis := slack.NewDataVisualizationAxisConfig(c.Labels...).
		WithXLabel(Plain(c.XLabel)).WithYLabel(Plain(c.YLabel))
	series := make([]slack.DataVisualizationDataSeries, len(c.Series))
	for i, s := range c.Series {
		points := make([]slack.DataVisualizationDataPoint, len(c.Labels))
		for j, l := range c.Labels {
			points[j] = slack.NewDataVisualizationDataPoint(l, s.Values[j])
		}
		series[i] = slack.NewDataVisualizationDataSeries(Plain(s.Name), points...)
	}
	var payload slack.DataVisualizationChart
	if c.Kind == chart.Bar {
		payload = slack.NewDataVisualizationBarChart(axis, series...)
	} else {
		payload = slack.NewDataVisualizationLineChart(axis, series...)
	}
	block := slack.NewDataVisualizationBlock(chartTitle(c), payload)
	if CheckBlock(block) != nil {
		return nil, false
	}
	return block, true
}

// chartTitle is "dau by day", with the averaging when there was some.
func chartTitle(c chart.Categories) string {
	suffix := ""
	switch c.Grain {
	case "weekly":
		suffix = " (weekly average)"
	case "monthly":
		suffix = " (monthly average)"
	}
	title := oneLine(Plain(c.YLabel))
	if c.XLabel != "" {
		title += " by " + oneLine(Plain(c.XLabel))
	}
	return cut(title, maxChartTitleRunes-len([]rune(suffix))) + suffix
}
