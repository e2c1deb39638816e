package chart

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// unit is a power of a thousand and its suffix.
type unit struct {
	scale  float64
	suffix string
}

var units = []unit{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}, {1, ""}}

// FormatNumber formats v for people: 1.2k, 3.4M, 12.5, 0.042; with money
// set it adds a dollar sign and keeps cents below a thousand ($12.50,
// $1.2k). Integers below a thousand are shown exactly.
func FormatNumber(v float64, money bool) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 0):
		return signed(v < 0, money, "∞")
	}
	a := math.Abs(v)
	i := unitIndex(a)
	u := units[i]
	if u.scale == 1 {
		return formatWith(v, money, u, smallDecimals(a, money), true)
	}
	dec := 1
	if a/u.scale >= 99.95 {
		dec = 0
	}
	// Rounding can carry into the next unit: 999,950 is "1M", not "1000k".
	if rounded := round(a/u.scale, dec); rounded >= 1000 && i > 0 {
		u, dec = units[i-1], 1
	}
	return formatWith(v, money, u, dec, true)
}

// unitIndex returns the index in units of the largest unit not above a.
func unitIndex(a float64) int {
	for i, u := range units {
		if a >= u.scale {
			return i
		}
	}
	return len(units) - 1
}

// smallDecimals is the number of decimals for a value below a thousand.
func smallDecimals(a float64, money bool) int {
	switch {
	case a == math.Trunc(a):
		return 0
	case money && a >= 0.01:
		return 2
	case a >= 100:
		return 1
	case a >= 1:
		return 2
	}
	// Two significant digits: 0.12, 0.0012.
	return min(6, 1-int(math.Floor(math.Log10(a))))
}

// formatWith formats v in unit u with dec decimals, trimming trailing
// zeros when trim is set; money below a thousand keeps its cents.
func formatWith(v float64, money bool, u unit, dec int, trim bool) string {
	s := strconv.FormatFloat(math.Abs(v)/u.scale, 'f', dec, 64)
	if trim && dec > 0 && !(money && u.scale == 1 && dec == 2) {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "0" || strings.Trim(s, "0.") == "" {
		return signed(false, money, "0")
	}
	return signed(v < 0, money, s+u.suffix)
}

func signed(negative, money bool, s string) string {
	if money {
		s = "$" + s
	}
	if negative {
		s = "-" + s
	}
	return s
}

func round(x float64, dec int) float64 {
	p := math.Pow10(dec)
	return math.Round(x*p) / p
}

var (
	// moneyWords mark a column as money wherever they appear in its name.
	moneyWords = []string{"revenue", "usd", "amount", "price", "cost", "spend",
		"dollar", "payout", "gmv", "arpu", "arppu", "arpdau", "ltv", "income", "profit"}
	// moneyTokens mark money only as whole words (arr is in "carrier").
	moneyTokens = set("mrr", "arr", "aov")
	// notMoney words mean the column counts or divides money: "$" would lie.
	notMoney = set("count", "cnt", "cents", "pct", "percent", "ratio", "qty",
		"quantity", "number", "num")
)

// IsMoney reports whether a column name suggests an amount of money
// (revenue, amount_usd, avg_price, mrr), so its values get a "$".
func IsMoney(name string) bool {
	n := strings.ToLower(name)
	tokens := strings.FieldsFunc(n, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	money := false
	for _, t := range tokens {
		if notMoney[t] {
			return false
		}
		money = money || moneyTokens[t]
	}
	for _, w := range moneyWords {
		money = money || strings.Contains(n, w)
	}
	return money
}
