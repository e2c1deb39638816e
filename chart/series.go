package chart

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot/plotter"
)

// series is one line of a line chart, sorted by x (Unix seconds).
type series struct {
	name string
	xys  plotter.XYs
	sum  float64
}

// lineData is a result reshaped for a line chart.
type lineData struct {
	xName, yName string
	catName      string // the category column of long-format data
	money        bool
	series       []series
	lo, hi       time.Time // x range
	grain        timeStep  // the spacing the x values sit on
	distinctXs   int
}

// line reshapes the result for a line chart: one time column plus
// numeric columns (wide format, a line per column), or one time, one text
// and one numeric column (long format, a line per category value).
func (s shape) line() (lineData, error) {
	switch {
	case s.res == nil:
		return lineData{}, unfit("no result")
	case len(s.times) != 1:
		return lineData{}, unfit("a line chart needs one date or timestamp column, found %d", len(s.times))
	case len(s.nums) == 0:
		return lineData{}, unfit("a line chart needs a numeric column")
	case len(s.other) > 0:
		return lineData{}, unfit("column %q (%s) cannot be drawn", s.colName(s.other[0]), s.res.Columns[s.other[0]].Type)
	case len(s.texts) > 1:
		return lineData{}, unfit("a line chart takes at most one category column, found %d", len(s.texts))
	case len(s.texts) == 1 && len(s.nums) > 1:
		return lineData{}, unfit("a category column needs exactly one numeric column, found %d", len(s.nums))
	case len(s.nums) > maxSeries:
		return lineData{}, unfit("%d numeric columns are too many lines (at most %d)", len(s.nums), maxSeries)
	}

	d := lineData{xName: s.colName(s.times[0]), money: true}
	names := make([]string, len(s.nums))
	for i, c := range s.nums {
		names[i] = s.colName(c)
		d.money = d.money && IsMoney(names[i])
	}
	d.yName = strings.Join(names, ", ")

	var byName map[string]*series
	if len(s.texts) == 1 {
		byName = make(map[string]*series)
		d.catName = s.colName(s.texts[0])
	} else {
		d.series = make([]series, len(s.nums))
		for i := range d.series {
			d.series[i].name = names[i]
		}
	}

	var xs []time.Time
	seen := make(map[float64]bool)
	for _, row := range s.res.Rows {
		t, ok := timeValue(cell(row, s.times[0]))
		if !ok {
			continue
		}
		x, used := unixSeconds(t), false
		for i, c := range s.nums {
			y, ok := numberValue(cell(row, c))
			if !ok {
				continue
			}
			var ser *series
			if byName != nil {
				name := label(cell(row, s.texts[0]))
				if ser = byName[name]; ser == nil {
					ser = &series{name: name}
					byName[name] = ser
				}
			} else {
				ser = &d.series[i]
			}
			ser.xys = append(ser.xys, plotter.XY{X: x, Y: y})
			ser.sum += y
			used = true
		}
		if used {
			if !seen[x] {
				seen[x] = true
				xs = append(xs, t)
			}
			if d.lo.IsZero() || t.Before(d.lo) {
				d.lo = t
			}
			if d.hi.IsZero() || t.After(d.hi) {
				d.hi = t
			}
		}
	}

	if byName != nil {
		if len(byName) > maxSeries {
			return lineData{}, unfit("%d values of %q are too many lines (at most %d)", len(byName), s.colName(s.texts[0]), maxSeries)
		}
		for _, ser := range byName {
			d.series = append(d.series, *ser)
		}
		// The biggest series come first, so they get the first colours
		// and the top of the legend.
		slices.SortFunc(d.series, func(a, b series) int {
			return cmp.Or(cmp.Compare(b.sum, a.sum), strings.Compare(a.name, b.name))
		})
	}
	d.series = slices.DeleteFunc(d.series, func(s series) bool { return len(s.xys) == 0 })
	d.distinctXs = len(xs)
	if d.distinctXs < minXs {
		return lineData{}, unfit("a line chart needs at least %d distinct x values, found %d", minXs, d.distinctXs)
	}
	for i := range d.series {
		slices.SortStableFunc(d.series[i].xys, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
	}
	d.grain = grainOf(xs)
	return d, nil
}
