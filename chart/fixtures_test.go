package chart

import (
	"fmt"
	"math"
	"time"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// start is the first day of every generated series.
var start = time.Date(2025, time.January, 6, 0, 0, 0, 0, time.UTC)

// daily returns "day, <cols...>" with n days of smooth, weekly-seasonal
// counts; column k is about (k+1)×1,200.
func daily(n int, cols ...string) *readonly.Result {
	res := &readonly.Result{Columns: []readonly.Column{{Name: "day", Type: "date"}}}
	for _, c := range cols {
		res.Columns = append(res.Columns, readonly.Column{Name: c, Type: "int8"})
	}
	for i := range n {
		row := []any{start.AddDate(0, 0, i)}
		for k := range cols {
			base := float64(k+1) * 1200
			v := base + base*0.002*float64(i) + base*0.15*math.Sin(float64(i)*2*math.Pi/7) + base*0.05*math.Cos(float64(i)/9)
			row = append(row, int64(v))
		}
		res.Rows = append(res.Rows, row)
	}
	return res
}

// long returns "day, platform, dau" in long format: n days for each of
// the platforms, rows ordered by day then platform as SQL would give.
func long(n int, platforms ...string) *readonly.Result {
	res := &readonly.Result{Columns: []readonly.Column{
		{Name: "day", Type: "date"}, {Name: "platform", Type: "text"}, {Name: "dau", Type: "int8"},
	}}
	for i := range n {
		for k, p := range platforms {
			base := 9000 / float64(k+1)
			v := base + base*0.2*math.Sin(float64(i+k)*2*math.Pi/7) + 40*float64(i)
			res.Rows = append(res.Rows, []any{start.AddDate(0, 0, i), p, int64(v)})
		}
	}
	return res
}

// categories returns "country, revenue_usd" with n rows in no order.
func categories(n int) *readonly.Result {
	names := []string{"United States", "Germany", "Brazil", "Japan", "India", "France",
		"United Kingdom", "Canada", "Mexico", "Spain", "Italy", "Poland"}
	res := &readonly.Result{Columns: []readonly.Column{
		{Name: "country", Type: "text"}, {Name: "revenue_usd", Type: "numeric"},
	}}
	for i := range n {
		name := fmt.Sprintf("Country %d", i)
		if i < len(names) {
			name = names[i]
		}
		v := 1_250_000 / float64(1+(i*7)%n) // a long tail in shuffled order
		res.Rows = append(res.Rows, []any{name, math.Round(v*100) / 100})
	}
	return res
}

// result builds a result from column "name type" pairs and rows.
func result(cols []string, rows ...[]any) *readonly.Result {
	res := &readonly.Result{Rows: rows}
	for i := 0; i+1 < len(cols); i += 2 {
		res.Columns = append(res.Columns, readonly.Column{Name: cols[i], Type: cols[i+1]})
	}
	return res
}
