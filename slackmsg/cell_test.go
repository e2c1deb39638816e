package slackmsg

import (
	"math"
	"testing"
	"time"
)

func TestFormatCell(t *testing.T) {
	t.Parallel()
	cases := []struct {
		v       any
		typ     string
		text    string
		numeric bool
	}{
		{int64(12345), "int8", "12,345", true},
		{int64(-1234567), "int8", "-1,234,567", true},
		{int64(999), "int4", "999", true},
		{int64(math.MinInt64), "int8", "-9,223,372,036,854,775,808", true},
		{1234.567, "numeric", "1,234.57", true},
		{1234.5, "numeric", "1,234.5", true},
		{1234.0, "float8", "1,234", true},
		{-0.001, "float8", "-0.001", true},
		{0.00043, "float8", "0.00043", true},
		{-0.0, "float8", "0", true},
		{-0.004999, "float8", "-0.005", true},
		{math.NaN(), "float8", "NaN", true},
		{math.Inf(-1), "float8", "-∞", true},
		{nil, "numeric", "—", true},
		{nil, "text", "—", false},
		{"two\nlines\tand  spaces", "text", "two lines and spaces", false},
		{"NaN", "numeric", "NaN", true},
		{true, "bool", "true", false},
		{time.Date(2024, 11, 22, 0, 0, 0, 0, time.UTC), "date", "2024-11-22", false},
		{time.Date(2024, 11, 22, 0, 0, 0, 0, time.UTC), "timestamptz", "2024-11-22", false},
		{time.Date(2024, 11, 22, 18, 30, 0, 0, time.UTC), "timestamptz", "2024-11-22 18:30", false},
		{time.Date(2024, 11, 22, 18, 30, 5, 0, time.UTC), "timestamp", "2024-11-22 18:30:05", false},
	}
	for _, c := range cases {
		text, numeric := FormatCell(c.v, c.typ)
		if text != c.text || numeric != c.numeric {
			t.Errorf("FormatCell(%#v, %q) = %q, %v; want %q, %v", c.v, c.typ, text, numeric, c.text, c.numeric)
		}
	}
}

func TestFormatCellKeepsYearsAndIDsPlainInTables(t *testing.T) {
	t.Parallel()
	if got, _ := formatCell(float64(2024), "numeric", 0, isPlainName("year")); got != "2024" {
		t.Errorf("year = %q, want 2024", got)
	}
	if got, _ := formatCell(int64(100234), "int8", 0, isPlainName("order_id")); got != "100234" {
		t.Errorf("order_id = %q, want 100234", got)
	}
	if got, _ := formatCell(int64(100234), "int8", 0, isPlainName("orders")); got != "100,234" {
		t.Errorf("orders = %q, want 100,234", got)
	}
}
