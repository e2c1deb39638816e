package fake

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Slack's published Block Kit limits, which the fake enforces the way
// Slack does: a message that breaks one is refused with invalid_blocks.
// The fake reads the JSON itself rather than through slack-go, so that a
// mistake in the bot's use of slack-go cannot hide here.
const (
	maxBlocks             = 50
	maxBlockIDChars       = 255
	maxSectionChars       = 3000
	maxSectionFieldChars  = 2000
	maxSectionFields      = 10
	maxContextElements    = 10
	maxActionElements     = 25
	maxButtonTextChars    = 75
	maxButtonValueChars   = 2000
	maxHeaderChars        = 150
	maxMarkdownChars      = 12000
	maxTableRows          = 100
	maxTableCells         = 20
	maxDataTableRows      = 101 // 100 rows and the header
	maxDataTableCols      = 20
	maxDataTableCellChars = 10000 // all cells of a message
	maxChartsPerMessage   = 2
	maxChartTitle         = 50
	maxChartSeries        = 6
	maxChartPoints        = 20
	maxChartLabel         = 20
	maxPieSegments        = 6
	maxContextActions     = 5
)

type jsonObject = map[string]any

// checkBlocks validates a message's blocks; it returns "" or why Slack
// would refuse them.
func checkBlocks(raw json.RawMessage) string {
	var blocks []jsonObject
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return "blocks are not an array of objects"
	}
	if len(blocks) > maxBlocks {
		return fmt.Sprintf("%d blocks, at most %d", len(blocks), maxBlocks)
	}
	charts, cells, markdown := 0, 0, 0
	for i, b := range blocks {
		if id, _ := b["block_id"].(string); chars(id) > maxBlockIDChars {
			return fmt.Sprintf("block %d: block_id too long", i)
		}
		var why string
		switch t, _ := b["type"].(string); t {
		case "section":
			why = checkSectionBlock(b)
		case "context":
			why = checkContextBlock(b)
		case "actions":
			why = checkActionsBlock(b)
		case "context_actions":
			why = checkContextActionsBlock(b)
		case "header":
			why = checkTextObject(b["text"], maxHeaderChars, "plain_text")
		case "divider", "image", "rich_text":
		case "markdown":
			s, _ := b["text"].(string)
			markdown += chars(s)
			if s == "" {
				why = "markdown block without text"
			}
		case "table":
			why = checkTableBlock(b)
		case "data_table":
			var n int
			n, why = checkDataTableBlock(b)
			cells += n
		case "data_visualization":
			charts++
			why = checkChartBlock(b)
		default:
			why = fmt.Sprintf("unknown block type %q", t)
		}
		if why != "" {
			return fmt.Sprintf("block %d: %s", i, why)
		}
	}
	switch {
	case charts > maxChartsPerMessage:
		return fmt.Sprintf("%d data_visualization blocks, at most %d", charts, maxChartsPerMessage)
	case cells > maxDataTableCellChars:
		return fmt.Sprintf("%d characters in data_table cells, at most %d", cells, maxDataTableCellChars)
	case markdown > maxMarkdownChars:
		return fmt.Sprintf("%d characters in markdown blocks, at most %d", markdown, maxMarkdownChars)
	}
	return ""
}

func chars(s string) int { return utf8.RuneCountInString(s) }

func objects(v any) []jsonObject {
	list, _ := v.([]any)
	out := make([]jsonObject, 0, len(list))
	for _, item := range list {
		if o, ok := item.(jsonObject); ok {
			out = append(out, o)
		} else {
			out = append(out, nil)
		}
	}
	return out
}

// checkTextObject checks a text object of one of the given types.
func checkTextObject(v any, limit int, types ...string) string {
	o, ok := v.(jsonObject)
	if !ok {
		return "missing text object"
	}
	t, _ := o["type"].(string)
	if len(types) == 0 {
		types = []string{"plain_text", "mrkdwn"}
	}
	known := false
	for _, want := range types {
		known = known || t == want
	}
	if !known {
		return fmt.Sprintf("text object of type %q", t)
	}
	s, _ := o["text"].(string)
	if s == "" {
		return "empty text"
	}
	if chars(s) > limit {
		return fmt.Sprintf("text of %d characters, at most %d", chars(s), limit)
	}
	return ""
}

func checkSectionBlock(b jsonObject) string {
	fields := objects(b["fields"])
	if b["text"] == nil && len(fields) == 0 {
		return "section without text or fields"
	}
	if b["text"] != nil {
		if why := checkTextObject(b["text"], maxSectionChars); why != "" {
			return "section " + why
		}
	}
	if len(fields) > maxSectionFields {
		return "too many section fields"
	}
	for _, f := range fields {
		if why := checkTextObject(f, maxSectionFieldChars); why != "" {
			return "section field " + why
		}
	}
	return ""
}

func checkContextBlock(b jsonObject) string {
	els := objects(b["elements"])
	if len(els) == 0 || len(els) > maxContextElements {
		return fmt.Sprintf("context with %d elements", len(els))
	}
	for _, e := range els {
		if t, _ := e["type"].(string); t == "image" {
			continue
		}
		if why := checkTextObject(e, maxSectionChars); why != "" {
			return "context " + why
		}
	}
	return ""
}

func checkActionsBlock(b jsonObject) string {
	els := objects(b["elements"])
	if len(els) == 0 || len(els) > maxActionElements {
		return fmt.Sprintf("actions with %d elements", len(els))
	}
	for _, e := range els {
		if t, _ := e["type"].(string); t != "button" {
			continue
		}
		if why := checkTextObject(e["text"], maxButtonTextChars, "plain_text"); why != "" {
			return "button " + why
		}
		if v, _ := e["value"].(string); chars(v) > maxButtonValueChars {
			return "button value too long"
		}
	}
	return ""
}

func checkContextActionsBlock(b jsonObject) string {
	els := objects(b["elements"])
	if len(els) == 0 || len(els) > maxContextActions {
		return fmt.Sprintf("context_actions with %d elements", len(els))
	}
	for _, e := range els {
		switch t, _ := e["type"].(string); t {
		case "feedback_buttons":
			for _, key := range []string{"positive_button", "negative_button"} {
				btn, ok := e[key].(jsonObject)
				if !ok {
					return "feedback_buttons without " + key
				}
				if why := checkTextObject(btn["text"], maxButtonTextChars, "plain_text"); why != "" {
					return key + " " + why
				}
				if v, _ := btn["value"].(string); v == "" || chars(v) > maxButtonValueChars {
					return key + " value must be 1 to 2000 characters"
				}
			}
		case "icon_button":
		default:
			return fmt.Sprintf("context_actions element of type %q", t)
		}
	}
	return ""
}

func checkTableBlock(b jsonObject) string {
	rows, _ := b["rows"].([]any)
	if len(rows) == 0 || len(rows) > maxTableRows {
		return fmt.Sprintf("table with %d rows", len(rows))
	}
	for _, r := range rows {
		cells, _ := r.([]any)
		if len(cells) == 0 || len(cells) > maxTableCells {
			return fmt.Sprintf("table row with %d cells", len(cells))
		}
	}
	return ""
}

// checkDataTableBlock returns the characters in the table's cells and
// why the table is refused, if it is.
func checkDataTableBlock(b jsonObject) (int, string) {
	if c, _ := b["caption"].(string); c == "" {
		return 0, "data_table without a caption"
	}
	if ps, ok := b["page_size"].(float64); ok && (ps < 1 || ps > 100) {
		return 0, "page_size must be 1 to 100"
	}
	rows, _ := b["rows"].([]any)
	if len(rows) < 2 || len(rows) > maxDataTableRows {
		return 0, fmt.Sprintf("data_table with %d rows (header included), 2 to %d", len(rows), maxDataTableRows)
	}
	width := -1
	total := 0
	for i, r := range rows {
		cells := objects(r)
		if width < 0 {
			width = len(cells)
			if width == 0 || width > maxDataTableCols {
				return 0, fmt.Sprintf("data_table with %d columns", width)
			}
		}
		if len(cells) != width {
			return 0, fmt.Sprintf("data_table row %d has %d cells, the header %d", i, len(cells), width)
		}
		for _, c := range cells {
			switch t, _ := c["type"].(string); t {
			case "raw_text":
				s, _ := c["text"].(string)
				if s == "" {
					return 0, "raw_text cell without text"
				}
				total += chars(s)
			case "raw_number":
				if i == 0 {
					return 0, "the data_table header holds raw_text cells only"
				}
				if _, ok := c["value"].(float64); !ok {
					return 0, "raw_number cell without a numeric value"
				}
				s, _ := c["text"].(string)
				total += chars(s)
			case "rich_text":
				if i == 0 {
					return 0, "the data_table header holds raw_text cells only"
				}
			default:
				return 0, fmt.Sprintf("data_table cell of type %q", t)
			}
		}
	}
	if total > maxDataTableCellChars {
		return total, fmt.Sprintf("%d characters in cells, at most %d", total, maxDataTableCellChars)
	}
	return total, ""
}

func checkChartBlock(b jsonObject) string {
	title, _ := b["title"].(string)
	if title == "" || chars(title) > maxChartTitle {
		return "chart title must be 1 to 50 characters"
	}
	c, ok := b["chart"].(jsonObject)
	if !ok {
		return "data_visualization without a chart"
	}
	switch t, _ := c["type"].(string); t {
	case "pie":
		segs := objects(c["segments"])
		if len(segs) == 0 || len(segs) > maxPieSegments {
			return "pie with 1 to 6 segments"
		}
		for _, s := range segs {
			label, _ := s["label"].(string)
			v, _ := s["value"].(float64)
			if label == "" || chars(label) > maxChartLabel || v <= 0 {
				return "pie segment needs a label of 1 to 20 characters and a positive value"
			}
		}
		return ""
	case "line", "bar", "area":
		return checkSeriesChart(c)
	default:
		return fmt.Sprintf("chart of type %q", t)
	}
}

func checkSeriesChart(c jsonObject) string {
	axis, ok := c["axis_config"].(jsonObject)
	if !ok {
		return "chart without axis_config"
	}
	for _, key := range []string{"x_label", "y_label"} {
		if s, _ := axis[key].(string); chars(s) > 50 {
			return key + " longer than 50 characters"
		}
	}
	cats, _ := axis["categories"].([]any)
	if len(cats) == 0 || len(cats) > maxChartPoints {
		return fmt.Sprintf("%d categories, 1 to %d", len(cats), maxChartPoints)
	}
	known := map[string]bool{}
	for _, v := range cats {
		s, _ := v.(string)
		if s == "" || chars(s) > maxChartLabel || known[s] {
			return fmt.Sprintf("category %q must be unique and 1 to 20 characters", s)
		}
		known[s] = true
	}
	series := objects(c["series"])
	if len(series) == 0 || len(series) > maxChartSeries {
		return fmt.Sprintf("%d series, 1 to %d", len(series), maxChartSeries)
	}
	names := map[string]bool{}
	for _, s := range series {
		name, _ := s["name"].(string)
		if name == "" || chars(name) > maxChartLabel || names[name] {
			return fmt.Sprintf("series name %q must be unique and 1 to 20 characters", name)
		}
		names[name] = true
		points := objects(s["data"])
		if len(points) != len(cats) {
			return fmt.Sprintf("series %q has %d points for %d categories", name, len(points), len(cats))
		}
		seen := map[string]bool{}
		for _, p := range points {
			label, _ := p["label"].(string)
			if _, ok := p["value"].(float64); !ok || !known[label] || seen[label] {
				return fmt.Sprintf("series %q point %q must match one category once and have a value", name, label)
			}
			seen[label] = true
		}
	}
	return ""
}
