package chart

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// Categories is a result laid out for a chart drawn by the client rather
// than by us (Slack's data_visualization block): a list of category
// labels and, per series, one value for every label.
type Categories struct {
	Kind   Kind // Line or Bar
	XLabel string
	YLabel string
	Labels []string
	Series []CategorySeries
	// Grain says how daily values were averaged to fit: "" (not at all),
	// "weekly" or "monthly". The title must say so.
	Grain string
}

// CategorySeries is one named series, with one value per label.
type CategorySeries struct {
	Name   string
	Values []float64
}

// CategoryLimits are what the client accepts.
type CategoryLimits struct {
	MaxLabels  int // categories on the x axis
	MaxSeries  int
	LabelRunes int // a category label or a series name
}

// ToCategories lays res out for a client-drawn chart of the given kind.
// A daily series with more days than limits.MaxLabels is averaged per
// week, then per month, when that fits; otherwise, like any result that
// does not fit the limits, it returns an error wrapping ErrUnfit, and the
// caller draws a picture instead.
func ToCategories(res *readonly.Result, kind Kind, limits CategoryLimits) (Categories, error) {
	s := analyse(res)
	switch kind {
	case Line:
		d, err := s.line()
		if err != nil {
			return Categories{}, err
		}
		return lineCategories(d, limits)
	case Bar:
		d, err := s.bar(true)
		if err != nil {
			return Categories{}, err
		}
		return barCategories(d, limits)
	}
	return Categories{}, unfit("no chart of kind %q", kind)
}

func lineCategories(d lineData, limits CategoryLimits) (Categories, error) {
	if len(d.series) > limits.MaxSeries {
		return Categories{}, unfit("%d series are more than %d", len(d.series), limits.MaxSeries)
	}
	c := Categories{Kind: Line, XLabel: d.xName, YLabel: d.yName}
	daily := d.grain.d >= 24*time.Hour && d.grain.months == 0
	candidates := []grouping{{"", func(t time.Time) time.Time { return t }, pointLayout(d)}}
	if daily {
		candidates = append(candidates, grouping{"weekly", weekStart, time.DateOnly}, grouping{"monthly", monthStart, "2006-01"})
	}
	for _, cand := range candidates {
		keys := bucketKeys(d, cand.bucket)
		if len(keys) > limits.MaxLabels {
			continue
		}
		c.Grain = cand.grain
		c.Labels = make([]string, len(keys))
		index := make(map[time.Time]int, len(keys))
		for i, k := range keys {
			c.Labels[i] = k.Format(cand.layout)
			index[k] = i
		}
		for _, ser := range d.series {
			sums := make([]float64, len(keys))
			counts := make([]int, len(keys))
			for _, xy := range ser.xys {
				i := index[cand.bucket(fromUnix(xy.X))]
				sums[i] += xy.Y
				counts[i]++
			}
			for i := range sums {
				if counts[i] > 0 {
					sums[i] /= float64(counts[i])
				}
			}
			c.Series = append(c.Series, CategorySeries{Name: ser.name, Values: sums})
		}
		return c, fitNames(&c, limits)
	}
	return Categories{}, unfit("%d points do not fit %d categories", d.distinctXs, limits.MaxLabels)
}

// grouping puts x values into buckets named with layout.
type grouping struct {
	grain  string
	bucket func(time.Time) time.Time
	layout string
}

func barCategories(d barData, limits CategoryLimits) (Categories, error) {
	if len(d.bars) > limits.MaxLabels {
		return Categories{}, unfit("%d bars are more than %d", len(d.bars), limits.MaxLabels)
	}
	c := Categories{Kind: Bar, XLabel: d.catName, YLabel: d.valName}
	ser := CategorySeries{Name: d.valName}
	for _, b := range slices.Backward(d.bars) { // largest first
		c.Labels = append(c.Labels, b.label)
		ser.Values = append(ser.Values, b.value)
	}
	c.Series = []CategorySeries{ser}
	return c, fitNames(&c, limits)
}

// fitNames shortens labels and series names to the limit; names that
// become equal make the chart unfit, since the client needs them unique.
func fitNames(c *Categories, limits CategoryLimits) error {
	seen := map[string]bool{}
	for i, l := range c.Labels {
		l = truncate(oneLine(l), limits.LabelRunes)
		if l == "" {
			l = "(empty)"
		}
		if seen[l] {
			return unfit("two categories read %q", l)
		}
		seen[l], c.Labels[i] = true, l
	}
	clear(seen)
	for i := range c.Series {
		n := truncate(oneLine(c.Series[i].Name), limits.LabelRunes)
		if n == "" {
			n = fmt.Sprintf("series %d", i+1)
		}
		if seen[n] {
			return unfit("two series are named %q", n)
		}
		seen[n], c.Series[i].Name = true, n
	}
	if utf8.RuneCountInString(c.XLabel) > 50 {
		c.XLabel = truncate(c.XLabel, 50)
	}
	if utf8.RuneCountInString(c.YLabel) > 50 {
		c.YLabel = truncate(c.YLabel, 50)
	}
	return nil
}

// bucketKeys are the distinct buckets of the series' x values, in order.
func bucketKeys(d lineData, bucket func(time.Time) time.Time) []time.Time {
	seen := map[time.Time]bool{}
	var keys []time.Time
	for _, ser := range d.series {
		for _, xy := range ser.xys {
			k := bucket(fromUnix(xy.X))
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	slices.SortFunc(keys, func(a, b time.Time) int { return a.Compare(b) })
	return keys
}

// pointLayout names one x value: a date for daily data, a date and time
// otherwise.
func pointLayout(d lineData) string {
	switch {
	case d.grain.months > 0:
		return "2006-01"
	case d.grain.d >= 24*time.Hour:
		return time.DateOnly
	}
	return "01-02 15:04"
}

func fromUnix(x float64) time.Time {
	sec := int64(x)
	return time.Unix(sec, int64((x-float64(sec))*1e9)).UTC()
}

// weekStart is the Monday that starts t's week.
func weekStart(t time.Time) time.Time {
	t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
}

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
