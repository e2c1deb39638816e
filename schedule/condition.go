package schedule

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// ConditionKind says when a delivery is posted.
type ConditionKind string

// The conditions the modal offers.
const (
	// Always posts every delivery.
	Always ConditionKind = "always"
	// Above posts when the first number is above the threshold.
	Above ConditionKind = "above"
	// Below posts when the first number is below the threshold.
	Below ConditionKind = "below"
	// Change posts when the first number changed by more than Threshold
	// percent since the last posted delivery.
	Change ConditionKind = "change"
	// Outlier posts when the first number is outside mean ± Threshold·σ
	// of the last Window deliveries.
	Outlier ConditionKind = "outlier"
)

// Condition is "post only when": a kind and its parameters.
type Condition struct {
	Kind ConditionKind
	// Threshold is the value for Above and Below, the percentage for
	// Change and k for Outlier.
	Threshold float64
	// Window is M, the deliveries Outlier compares with.
	Window int
}

// Errors of a condition, shown next to the field that is wrong.
var (
	ErrConditionKind = errors.New("choose when to post")
	ErrThreshold     = errors.New("enter a number")
	ErrPercent       = errors.New("enter a percentage above 0")
	ErrDeviations    = errors.New("enter a number of standard deviations above 0")
	ErrWindow        = errors.New("enter how many deliveries to compare with, from 3 to 100")
)

// Validate reports the first thing wrong with the condition.
func (c Condition) Validate() error {
	switch c.Kind {
	case Always:
	case Above, Below:
		if math.IsNaN(c.Threshold) || math.IsInf(c.Threshold, 0) {
			return ErrThreshold
		}
	case Change:
		if !(c.Threshold > 0) || math.IsInf(c.Threshold, 0) {
			return ErrPercent
		}
	case Outlier:
		if !(c.Threshold > 0) || math.IsInf(c.Threshold, 0) {
			return ErrDeviations
		}
		if c.Window < 3 || c.Window > 100 {
			return ErrWindow
		}
	default:
		return ErrConditionKind
	}
	return nil
}

// Evidence is what a condition is decided on.
type Evidence struct {
	// Value is this delivery's first number; nil when the result has none.
	Value *float64
	// LastPosted is the first number of the last posted delivery, if any.
	LastPosted *float64
	// Recent holds the first numbers of the latest deliveries before this
	// one, newest first, whether they were posted or not.
	Recent []float64
}

// Holds decides whether a delivery is posted, and says why in a short
// phrase for the message ("1,234 is above 1,000"); the phrase is empty
// for Always.
func (c Condition) Holds(e Evidence) (bool, string) {
	if c.Kind == Always || c.Kind == "" {
		return true, ""
	}
	if e.Value == nil {
		return false, ""
	}
	v := *e.Value
	switch c.Kind {
	case Above:
		return v > c.Threshold, number(v) + " is above " + number(c.Threshold)
	case Below:
		return v < c.Threshold, number(v) + " is below " + number(c.Threshold)
	case Change:
		if e.LastPosted == nil {
			return true, "first delivery of this alert: " + number(v)
		}
		base := *e.LastPosted
		if base == 0 {
			return v != 0, number(v) + ", up from 0"
		}
		pct := (v - base) / math.Abs(base) * 100
		return math.Abs(pct) > c.Threshold, number(v) + ", " + signedPercent(pct) + " since the last delivery (" + number(base) + ")"
	case Outlier:
		recent := e.Recent
		if len(recent) > c.Window {
			recent = recent[:c.Window]
		}
		if len(recent) < 2 {
			return false, "" // no spread to compare with yet
		}
		mean, sd := meanSD(recent)
		lo, hi := mean-c.Threshold*sd, mean+c.Threshold*sd
		return v < lo || v > hi, number(v) + " is outside " + number(lo) + " … " + number(hi) +
			" (mean ± " + number(c.Threshold) + "σ of the last " + strconv.Itoa(len(recent)) + ")"
	}
	return false, ""
}

// String describes the condition for people.
func (c Condition) String() string {
	switch c.Kind {
	case Above:
		return "when the first number is above " + number(c.Threshold)
	case Below:
		return "when the first number is below " + number(c.Threshold)
	case Change:
		return "when it changed by more than " + number(c.Threshold) + "%"
	case Outlier:
		return "when it is outside mean ± " + number(c.Threshold) + "σ of the last " + strconv.Itoa(c.Window)
	}
	return "always"
}

// meanSD is the mean and the sample standard deviation.
func meanSD(xs []float64) (float64, float64) {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean := sum / float64(len(xs))
	var sq float64
	for _, x := range xs {
		sq += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sq / float64(len(xs)-1))
}

// FirstNumber is the first numeric cell of the result's first row, nil
// when there is none.
func FirstNumber(res *readonly.Result) *float64 {
	if res == nil || len(res.Rows) == 0 {
		return nil
	}
	for i, cell := range res.Rows[0] {
		switch v := cell.(type) {
		case int64:
			f := float64(v)
			return &f
		case float64:
			return &v
		case string:
			if i < len(res.Columns) && numericType(res.Columns[i].Type) {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					return &f
				}
			}
		}
	}
	return nil
}

func numericType(t string) bool {
	switch t {
	case "numeric", "int2", "int4", "int8", "float4", "float8", "money":
		return true
	}
	return false
}

// number prints a value for people: 1234567.5 as "1,234,567.5".
func number(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if math.Abs(f) >= 1e15 || (f != 0 && math.Abs(f) < 1e-6) {
		return strconv.FormatFloat(f, 'g', 6, 64)
	}
	if dot := strings.IndexByte(s, '.'); dot >= 0 && len(s)-dot > 4 {
		s = strconv.FormatFloat(f, 'f', 3, 64)
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return group(s)
}

// group puts thousands separators into a decimal number's whole part.
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

func signedPercent(p float64) string {
	s := strconv.FormatFloat(math.Round(p*10)/10, 'f', -1, 64) + "%"
	if p > 0 {
		return "+" + s
	}
	return s
}
