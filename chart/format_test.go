package chart

import (
	"math"
	"testing"
)

func TestFormatNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v     float64
		money bool
		want  string
	}{
		{0, false, "0"},
		{7, false, "7"},
		{999, false, "999"},
		{12.5, false, "12.5"},
		{12.345, false, "12.35"},
		{123.45, false, "123.5"},
		{0.123, false, "0.12"},
		{0.00123, false, "0.0012"},
		{1000, false, "1k"},
		{1200, false, "1.2k"},
		{12_345, false, "12.3k"},
		{123_456, false, "123k"},
		{999_950, false, "1M"},
		{3_400_000, false, "3.4M"},
		{2_500_000_000, false, "2.5B"},
		{7e12, false, "7T"},
		{-1500, false, "-1.5k"},
		{-0.5, false, "-0.5"},
		{math.NaN(), false, "NaN"},
		{math.Inf(-1), false, "-∞"},

		{0, true, "$0"},
		{12, true, "$12"},
		{12.5, true, "$12.50"},
		{0.05, true, "$0.05"},
		{999.99, true, "$999.99"},
		{1200, true, "$1.2k"},
		{3_400_000, true, "$3.4M"},
		{-250_000, true, "-$250k"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.v, tt.money); got != tt.want {
			t.Errorf("FormatNumber(%v, %v) = %q, want %q", tt.v, tt.money, got, tt.want)
		}
	}
}

func TestIsMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want bool
	}{
		{"revenue", true},
		{"total_revenue_usd", true},
		{"Amount", true},
		{"avg_price", true},
		{"cost_per_install", true},
		{"mrr", true},
		{"arpdau", true},
		{"dau", false},
		{"carrier", false},
		{"price_changes_count", false},
		{"amount_cents", false},
		{"revenue_pct", false},
		{"day", false},
	}
	for _, tt := range tests {
		if got := IsMoney(tt.name); got != tt.want {
			t.Errorf("IsMoney(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"two\nlines  here", 20, "two lines here"},
		{"Revenue by country, last quarter", 20, "Revenue by country…"},
		{"abcdefghijklmnopqrstuvwxyz", 10, "abcdefghi…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.s, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
