package slackmsg

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// nullText is how a NULL shows in a table.
const nullText = "—"

// numericTypes are the PostgreSQL type names whose values are numbers.
var numericTypes = map[string]bool{
	"int2": true, "int4": true, "int8": true, "smallint": true, "integer": true, "bigint": true,
	"float4": true, "float8": true, "real": true, "double precision": true,
	"numeric": true, "decimal": true, "money": true, "oid": true,
}

// FormatCell renders one result value, as normalised by package readonly,
// for a person: numbers with thousands separators and at most two
// decimals (12,345 and 1,234.57), dates as 2006-01-02, NULL as "—", text
// on one line. colType is the column's PostgreSQL type name. numeric
// reports whether the value is a number and should be right-aligned.
func FormatCell(v any, colType string) (text string, numeric bool) {
	return formatCell(v, colType, -1, false)
}

// formatCell is FormatCell with a column's fixed number of decimals
// (-1 for as few as the value needs) and, for identifiers and years, no
// thousands separators.
func formatCell(v any, colType string, decimals int, plain bool) (string, bool) {
	switch x := v.(type) {
	case nil:
		return nullText, numericTypes[colType]
	case int64:
		return formatInt(x, plain), true
	case int:
		return formatInt(int64(x), plain), true
	case int32:
		return formatInt(int64(x), plain), true
	case float64:
		if plain && x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatFloat(x, 'f', 0, 64), true
		}
		if decimals < 0 {
			decimals = decimalsOf(x)
		}
		return formatFloat(x, decimals), true
	case float32:
		return formatCell(float64(x), colType, decimals, plain)
	case bool:
		return strconv.FormatBool(x), false
	case time.Time:
		return formatTime(x, colType), false
	case string:
		// Numbers too large or special for float64 arrive as text.
		return oneLine(x), numericTypes[colType]
	default:
		return oneLine(fmt.Sprint(x)), false
	}
}

// tableCell renders cell (i, j) of res, whose value is v, for a table:
// PostgreSQL's own text of the value, so nothing is rounded or
// re-spelled, with thousands separators in numbers (not in identifiers
// and years), NULL as "—" and text on one line. A result without texts
// falls back to formatting the value.
func tableCell(res *readonly.Result, i, j int, v any, c column) string {
	if i >= len(res.Texts) {
		text, _ := formatCell(v, c.typ, c.decimals, c.plain)
		return text
	}
	text, null := res.Text(i, j)
	switch v.(type) {
	case nil:
		if null {
			return nullText
		}
	case int64, float64:
		if !c.plain && plainDecimal(text) {
			return group(text)
		}
		return text
	}
	return oneLine(text)
}

// plainDecimal reports whether s is a decimal number without exponent,
// such as -1234.50, which thousands separators can be put into.
func plainDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	digits := func(p string) bool {
		return !strings.ContainsFunc(p, func(r rune) bool { return r < '0' || r > '9' })
	}
	return whole != "" && digits(whole) && digits(frac)
}

// formatInt groups digits in thousands unless plain is set.
func formatInt(n int64, plain bool) string {
	s := strconv.FormatInt(n, 10)
	if plain {
		return s
	}
	return group(s)
}

// decimalsOf is how many of at most two decimals v needs.
func decimalsOf(v float64) int {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) >= 1e15 {
		return 0
	}
	cents := math.Round(math.Abs(v) * 100)
	switch {
	case math.Mod(cents, 100) == 0:
		return 0
	case math.Mod(cents, 10) == 0:
		return 1
	default:
		return 2
	}
}

// formatFloat renders v with the given decimals and thousands separators.
// A value so small that it would round to zero keeps two significant
// digits instead (0.00043), so that it does not read as nothing.
func formatFloat(v float64, decimals int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "-∞"
	case v != 0 && math.Abs(v) < 0.005:
		g, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 2, 64), 64)
		return strconv.FormatFloat(g, 'f', -1, 64)
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-") // no "-0.00"
	}
	return group(s)
}

// group puts thousands separators into the integer part of a decimal
// number written by strconv: "-1234567.5" becomes "-1,234,567.5".
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// formatTime shows dates as 2006-01-02 and times to the minute, or to the
// second when there are seconds.
func formatTime(t time.Time, colType string) string {
	switch {
	case colType == "date" || t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0:
		return t.Format(time.DateOnly)
	case t.Second() == 0 && t.Nanosecond() == 0:
		return t.Format("2006-01-02 15:04")
	default:
		return t.Format(time.DateTime)
	}
}
