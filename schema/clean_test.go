package schema

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 10, "plain"},
		{"  two\n\nlines\r\n", 20, "two lines"},
		{"tab\tand\u2028separator\u2029end", 40, "tab and separator end"},
		{"bidi\u202Eoverride\u200Bzero-width", 40, "bidi override zero-width"},
		{"bell\x07\x1b[31mred", 40, "bell [31mred"},
		{"bad \xff utf8", 20, "bad \uFFFD utf8"},
		{"one two three four five six", 12, "one two thr…"},
		{"alpha beta gamma delta", 20, "alpha beta gamma…"},
		{"abcdefghijklmnop", 8, "abcdefg…"},
		{"", 5, ""},
	}
	for _, tt := range tests {
		got := clean(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("clean(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if n := len([]rune(got)); n > tt.max {
			t.Errorf("clean(%q, %d) is %d characters long", tt.in, tt.max, n)
		}
	}
}

func TestPrintableName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"orders": true, "Total USD": true, `we"ird`: true, "": false,
		"bad\nname": false, "rtl\u202Ename": false, "x\u2028y": false,
	} {
		if got := printableName(name); got != want {
			t.Errorf("printableName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestIdent(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"orders": "orders", "_x1$": "_x1$", "Total USD": `"Total USD"`, "Orders": `"Orders"`,
		"1st": `"1st"`, `a"b`: `"a""b"`, "user": `"user"`, "order": `"order"`, "day": "day",
	} {
		if got := ident(name); got != want {
			t.Errorf("ident(%q) = %s, want %s", name, got, want)
		}
	}
	if got := literals([]string{"ios", "o'reilly"}); got != `'ios', 'o''reilly'` {
		t.Errorf("literals = %s", got)
	}
}

func TestApproxRows(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{
		-1: "unknown number of", 0: "~0", 5400: "~5400", 9999: "~9999", 10_000: "~10k", 21_900: "~21.9k",
		123_456: "~123k", 999_700: "~1M", 1_234_567: "~1.23M", 45_600_000_000: "~45.6B",
	} {
		if got := approxRows(n); got != want {
			t.Errorf("approxRows(%d) = %s, want %s", n, got, want)
		}
	}
	if s := approxRows(1 << 62); strings.Contains(s, "e+") {
		t.Errorf("approxRows(huge) = %s", s)
	}
}
