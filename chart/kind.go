package chart

import (
	"strings"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// Kind is the kind of chart drawn for a result.
type Kind string

// The kinds of chart Choose can pick.
const (
	// None means the result is better read as a table or a sentence.
	None Kind = "none"
	// Line is a time series: one line per numeric column, or one line
	// per category value for long-format results.
	Line Kind = "line"
	// Bar is a horizontal bar chart of categories sorted by value.
	Bar Kind = "bar"
)

// Choose picks the chart for res from its shape. The hint is what the
// model asked for ("", "auto", "line", "bar" or "none"): "none" always
// wins, "line" and "bar" win when the result can be drawn that way, and
// anything else falls back to the automatic choice.
func Choose(res *readonly.Result, hint string) Kind {
	s := analyse(res)
	_, lineErr := s.line()
	canLine := lineErr == nil
	canBar := func(allowTime bool) bool {
		_, err := s.bar(allowTime)
		return err == nil
	}

	auto := None
	switch {
	case canLine:
		auto = Line
	case canBar(false):
		auto = Bar
	}

	switch Kind(strings.ToLower(strings.TrimSpace(hint))) {
	case None:
		return None
	case Line:
		if canLine {
			return Line
		}
	case Bar:
		if canBar(true) {
			return Bar
		}
	}
	return auto
}
