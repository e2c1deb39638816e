package chart

import (
	"math"
	"time"

	"gonum.org/v1/plot"
)

// valueTicks labels a value axis every step, each label in its own unit
// with just the decimals the step needs (0, 250, 500, 750, 1k, 1.25k).
type valueTicks struct {
	step  float64
	money bool
}

// Ticks implements plot.Ticker.
func (t valueTicks) Ticks(lo, hi float64) []plot.Tick {
	if t.step <= 0 || hi < lo {
		return nil
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/t.step-1e-9) * t.step; v <= hi+t.step*1e-9; v += t.step {
		if math.Abs(v) < t.step*1e-9 {
			v = 0
		}
		u := units[unitIndex(math.Abs(v))]
		dec := 0
		for ; dec < 6; dec++ {
			scaled := t.step / u.scale * math.Pow10(dec)
			if math.Abs(scaled-math.Round(scaled)) < 1e-6 {
				break
			}
		}
		if t.money && u.scale == 1 && dec > 0 {
			dec = 2
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: formatWith(v, t.money, u, dec, true)})
	}
	return ticks
}

// niceStep returns a step of 1, 2 or 5 times a power of ten that cuts
// span into about n parts.
func niceStep(span float64, n int) float64 {
	if span <= 0 {
		return 1
	}
	raw := span / float64(n)
	mag := math.Pow10(int(math.Floor(math.Log10(raw))))
	for _, f := range []float64{1, 2, 5} {
		if raw <= f*mag*(1+1e-9) {
			return f * mag
		}
	}
	return 10 * mag
}

// valueRange widens [lo, hi] to whole steps, starting at zero when that
// costs less than half the height, and returns the step to label it by.
func valueRange(lo, hi float64, n int) (float64, float64, float64) {
	switch {
	case lo >= 0 && lo <= hi/2:
		lo = 0
	case hi <= 0 && hi >= lo/2:
		hi = 0
	}
	if lo == hi {
		pad := math.Max(math.Abs(lo)/10, 1)
		if lo == 0 {
			return 0, 1, niceStep(1, n)
		}
		lo, hi = lo-pad, hi+pad
	}
	step := niceStep(hi-lo, n)
	return math.Floor(lo/step+1e-9) * step, math.Ceil(hi/step-1e-9) * step, step
}

// timeStep is one candidate spacing of date ticks.
type timeStep struct {
	d      time.Duration // fixed steps: minutes, hours, days, weeks
	months int           // calendar steps: months and years
}

var timeSteps = []timeStep{
	{d: time.Minute}, {d: 5 * time.Minute}, {d: 15 * time.Minute}, {d: 30 * time.Minute},
	{d: time.Hour}, {d: 3 * time.Hour}, {d: 6 * time.Hour}, {d: 12 * time.Hour},
	{d: 24 * time.Hour}, {d: 48 * time.Hour}, {d: 7 * 24 * time.Hour}, {d: 14 * 24 * time.Hour},
	{months: 1}, {months: 2}, {months: 3}, {months: 6},
	{months: 12}, {months: 24}, {months: 60}, {months: 120},
}

// approx is the step's length, for counting ticks.
func (s timeStep) approx() time.Duration {
	if s.months > 0 {
		return time.Duration(s.months) * 30 * 24 * time.Hour
	}
	return s.d
}

const maxTimeTicks = 8

// timeTicks chooses date ticks for [lo, hi], no finer than the data's
// own grain (daily data never gets hourly ticks), and labels them the
// way people write dates: "15:04", "Jan 02", "Mar" with the year shown
// where it changes, "2024".
func timeTicks(lo, hi time.Time, grain timeStep) plot.ConstantTicks {
	span := hi.Sub(lo)
	step := timeSteps[len(timeSteps)-1]
	for _, s := range timeSteps {
		if s.approx() < grain.approx() {
			continue
		}
		if span/s.approx() < maxTimeTicks {
			step = s
			break
		}
	}
	var ticks plot.ConstantTicks
	prevYear := 0
	for t := alignTime(lo, step); !t.After(hi); t = advance(t, step) {
		if t.Before(lo) {
			continue
		}
		ticks = append(ticks, plot.Tick{Value: unixSeconds(t), Label: timeLabel(t, step, span, prevYear, lo.Year() != hi.Year())})
		prevYear = t.Year()
	}
	if len(ticks) == 0 {
		for _, t := range []time.Time{lo, hi} {
			ticks = append(ticks, plot.Tick{Value: unixSeconds(t), Label: t.Format("Jan 02 15:04")})
		}
	}
	return ticks
}

// alignTime returns the first tick at or before t for step, on round
// times in t's location: whole hours, midnights, Mondays, January.
func alignTime(t time.Time, s timeStep) time.Time {
	y, m, d := t.Date()
	loc := t.Location()
	switch {
	case s.months >= 12:
		years := s.months / 12
		return time.Date(y-y%years, time.January, 1, 0, 0, 0, 0, loc)
	case s.months > 0:
		m0 := int(m) - 1
		return time.Date(y, time.Month(m0-m0%s.months+1), 1, 0, 0, 0, 0, loc)
	case s.d >= 7*24*time.Hour:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
	case s.d >= 24*time.Hour:
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	midnight := time.Date(y, m, d, 0, 0, 0, 0, loc)
	return midnight.Add(t.Sub(midnight) / s.d * s.d)
}

func advance(t time.Time, s timeStep) time.Time {
	switch {
	case s.months > 0:
		return t.AddDate(0, s.months, 0)
	case s.d%(24*time.Hour) == 0:
		return t.AddDate(0, 0, int(s.d/(24*time.Hour))) // whole days across DST
	}
	return t.Add(s.d)
}

func timeLabel(t time.Time, s timeStep, span time.Duration, prevYear int, multiYear bool) string {
	switch {
	case s.months >= 12:
		return t.Format("2006")
	case s.months > 0:
		if t.Year() != prevYear {
			return t.Format("Jan 2006")
		}
		return t.Format("Jan")
	case s.d >= 24*time.Hour && multiYear:
		return t.Format("Jan 02 '06")
	case s.d >= 24*time.Hour:
		return t.Format("Jan 02")
	case span <= 24*time.Hour:
		return t.Format("15:04")
	}
	return t.Format("Jan 02 15:04")
}

// grainOf is the coarsest step the times all sit on: months when every
// value is the first of a month, days when every value is a midnight.
func grainOf(ts []time.Time) timeStep {
	months := len(ts) > 1
	for _, t := range ts {
		if t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
			return timeSteps[0]
		}
		months = months && t.Day() == 1
	}
	if months {
		return timeStep{months: 1}
	}
	return timeStep{d: 24 * time.Hour}
}

func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// timeLabeler names a date category of a bar chart.
type timeLabeler func(time.Time) string

// newTimeLabeler picks one layout for all the dates in column i: months
// for the first of the month, days for midnights, minutes otherwise, and
// the year only when the dates span more than one.
func newTimeLabeler(rows [][]any, i int) timeLabeler {
	var ts []time.Time
	years := make(map[int]bool)
	for _, row := range rows {
		if t, ok := timeValue(cell(row, i)); ok {
			ts = append(ts, t)
			years[t.Year()] = true
		}
	}
	layout := "Jan 02 15:04"
	switch g := grainOf(ts); {
	case g.months > 0:
		layout = "Jan 2006"
	case g.d >= 24*time.Hour && len(years) > 1:
		layout = "Jan 02 2006"
	case g.d >= 24*time.Hour:
		layout = "Mon Jan 02"
	case len(years) > 1:
		layout = "Jan 02 2006 15:04"
	}
	return func(t time.Time) string { return t.Format(layout) }
}
