package chart

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// ErrUnfit is returned by Render when the result cannot be drawn as the
// requested kind of chart (including None).
var ErrUnfit = errors.New("result does not fit the chart kind")

// Limits on what is worth drawing; beyond them a table reads better.
const (
	maxSeries = 8  // lines on one chart, and the size of the palette
	maxBars   = 25 // categories on one bar chart
	minBars   = 2
	minXs     = 2 // distinct x values a line needs
)

// class is what a column can be used for on a chart.
type class int

const (
	classOther class = iota
	classTime
	classNumber
	classText
)

// shape is a result with its columns sorted by what they can be used for.
type shape struct {
	res                       *readonly.Result
	times, nums, texts, other []int
}

// analyse classifies the columns of res; a nil res gives an empty shape.
func analyse(res *readonly.Result) shape {
	s := shape{res: res}
	if res == nil {
		return s
	}
	for i := range res.Columns {
		switch classify(res, i) {
		case classTime:
			s.times = append(s.times, i)
		case classNumber:
			s.nums = append(s.nums, i)
		case classText:
			s.texts = append(s.texts, i)
		default:
			s.other = append(s.other, i)
		}
	}
	return s
}

var (
	numberTypes = set("int2", "int4", "int8", "smallint", "integer", "bigint",
		"float4", "float8", "real", "double precision", "numeric", "decimal")
	timeTypes = set("date", "timestamp", "timestamptz",
		"timestamp without time zone", "timestamp with time zone")
	textTypes = set("text", "varchar", "bpchar", "char", "name", "citext",
		"character varying", "character")
	// otherTypes come back as strings too but are never categories.
	otherTypes = set("bool", "boolean", "json", "jsonb", "uuid", "bytea",
		"interval", "time", "timetz", "inet", "cidr", "macaddr", "xml",
		"oid", "money", "tsvector")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// classify decides what column i of res can be used for. Text columns
// whose values are all ISO dates (to_char output, say) count as time,
// and unknown types holding strings (enums, domains) count as text.
func classify(res *readonly.Result, i int) class {
	col := res.Columns[i]
	typ := strings.ToLower(strings.TrimSpace(col.Type))
	if j := strings.IndexByte(typ, '('); j >= 0 {
		typ = strings.TrimSpace(typ[:j])
	}
	switch {
	case numberTypes[typ]:
		if isIdentifier(col.Name) {
			return classOther
		}
		return classNumber
	case timeTypes[typ]:
		return classTime
	case otherTypes[typ], strings.HasPrefix(typ, "_"), strings.HasSuffix(typ, "[]"):
		return classOther
	}
	strs, dates := 0, 0
	for _, row := range res.Rows {
		if i >= len(row) || row[i] == nil {
			continue
		}
		s, ok := row[i].(string)
		if !ok {
			return classOther
		}
		strs++
		if _, ok := parseDate(s); ok {
			dates++
		}
	}
	switch {
	case strs > 0 && dates == strs:
		return classTime
	case textTypes[typ] || strs > 0:
		return classText
	}
	return classOther
}

// isIdentifier reports whether a numeric column is a key rather than a
// measure: plotting user_id as a value is never what anyone wants.
func isIdentifier(name string) bool {
	n := strings.ToLower(name)
	return n == "id" || strings.HasSuffix(n, "_id")
}

// dateLayouts are the text forms of dates that are charted as time.
var dateLayouts = []string{
	"2006-01-02",
	"2006-01",
	"2006-01-02 15:04:05",
	time.RFC3339,
}

func parseDate(s string) (time.Time, bool) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// cell returns row[i], or nil when the row is short.
func cell(row []any, i int) any {
	if i < len(row) {
		return row[i]
	}
	return nil
}

// timeValue converts a time cell; ok is false for nil and other values.
func timeValue(v any) (t time.Time, ok bool) {
	switch v := v.(type) {
	case time.Time:
		return v, true
	case string:
		return parseDate(v)
	}
	return time.Time{}, false
}

// numberValue converts a numeric cell; numeric columns may arrive as
// strings to keep their precision.
func numberValue(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case int:
		return float64(v), true
	case int32:
		return float64(v), true
	case float64:
		return v, finite(v)
	case float32:
		return float64(v), finite(float64(v))
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil && finite(f)
	}
	return 0, false
}

func finite(f float64) bool { return f-f == 0 }

// label is how a category cell reads on the chart.
func label(v any) string {
	switch v := v.(type) {
	case nil:
		return "(null)"
	case string:
		if strings.TrimSpace(v) == "" {
			return "(empty)"
		}
		return v
	}
	return fmt.Sprint(v)
}

// unfit wraps ErrUnfit with the reason.
func unfit(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnfit, fmt.Sprintf(format, args...))
}

// colName returns the name of column i for axis labels and legends.
func (s shape) colName(i int) string { return s.res.Columns[i].Name }
