package schema

import (
	"slices"
	"testing"
)

func TestSuggest(t *testing.T) {
	t.Parallel()
	_, cat := setupDemo(t)
	tests := []struct {
		unknown string
		want    []string
	}{
		{"daus", []string{"dau"}},
		{"m.daus", []string{"dau"}},
		{`"DAUs"`, []string{"dau"}},
		{"revenue", []string{"revenue_usd"}},
		{"new_user", []string{"new_users"}},
		{"crash", []string{"crashes"}},
		{"session", []string{"sessions"}},
		{"countries", []string{"country"}},
		{"day_of_week", []string{"day"}},
		{"zzzz", nil},
	}
	for _, tt := range tests {
		got := cat.Suggest(tt.unknown, 3)
		if len(tt.want) == 0 && len(got) != 0 || len(tt.want) > 0 && (len(got) == 0 || got[0] != tt.want[0]) {
			t.Errorf("Suggest(%q) = %v, want %v first", tt.unknown, got, tt.want)
		}
	}
	if got := cat.Suggest("day", 2); len(got) > 2 {
		t.Errorf("Suggest(day, 2) returned %d names", len(got))
	}
}

func TestColumnNames(t *testing.T) {
	t.Parallel()
	cat := &Catalog{Tables: []Table{
		{Name: "a", Columns: []Column{{Name: "x"}, {Name: "id"}}},
		{Name: "b", Columns: []Column{{Name: "id"}, {Name: "b"}}},
	}}
	if got := cat.ColumnNames(); !slices.Equal(got, []string{"b", "id", "x"}) {
		t.Errorf("ColumnNames = %v, want sorted and distinct", got)
	}
}

func TestLevenshtein(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"dau", "daus", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}, {"länder", "lander", 1},
	} {
		if got := levenshtein(tt.a, tt.b); got != tt.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
