package chart

import (
	"slices"
	"testing"
	"time"
)

func TestTimeTicks(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		name   string
		lo, hi time.Time
		grain  timeStep
		want   []string
	}{
		{"a week of days", start, start.AddDate(0, 0, 6), timeStep{d: day},
			[]string{"Jan 06", "Jan 07", "Jan 08", "Jan 09", "Jan 10", "Jan 11", "Jan 12"}},
		{"two days of dates never gets hours", start, start.AddDate(0, 0, 1), timeStep{d: day},
			[]string{"Jan 06", "Jan 07"}},
		{"a month of days in weeks from Monday", start, start.AddDate(0, 0, 29), timeStep{d: day},
			[]string{"Jan 06", "Jan 13", "Jan 20", "Jan 27", "Feb 03"}},
		{"a year of days in months, the year where it changes", start, start.AddDate(0, 0, 364), timeStep{d: day},
			[]string{"Mar 2025", "May", "Jul", "Sep", "Nov", "Jan 2026"}},
		{"a day of hours", start, start.Add(23 * time.Hour), timeStep{d: time.Minute},
			[]string{"00:00", "03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00"}},
		{"months across a year end", time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), timeStep{months: 1},
			[]string{"Nov 2024", "Dec", "Jan 2025", "Feb"}},
		{"six years of months in years", time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), timeStep{months: 1},
			[]string{"2019", "2020", "2021", "2022", "2023", "2024", "2025"}},
		{"minutes apart", start.Add(90 * time.Second), start.Add(150 * time.Second), timeStep{d: time.Minute},
			[]string{"00:02"}},
		{"seconds apart fall back to the ends", start.Add(10 * time.Second), start.Add(20 * time.Second), timeStep{d: time.Minute},
			[]string{"Jan 06 00:00", "Jan 06 00:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, tk := range timeTicks(tt.lo, tt.hi, tt.grain) {
				got = append(got, tk.Label)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("labels = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValueTicks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		lo, hi float64
		money  bool
		want   []string
	}{
		{"starts at zero when cheap", 1030, 2240, false, []string{"0", "500", "1k", "1.5k", "2k", "2.5k"}},
		{"keeps a narrow band", 1260, 1402, false, []string{"1.25k", "1.3k", "1.35k", "1.4k", "1.45k"}},
		{"money", 0, 1_250_000, true, []string{"$0", "$500k", "$1M", "$1.5M"}},
		{"money cents keep two decimals", 0, 2.3, true, []string{"$0", "$0.50", "$1.00", "$1.50", "$2.00", "$2.50"}},
		{"negative", -40, 90, false, []string{"-50", "0", "50", "100"}},
		{"constant", 5, 5, false, []string{"4", "4.5", "5", "5.5", "6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lo, hi, step := valueRange(tt.lo, tt.hi, 5)
			var got []string
			for _, tk := range (valueTicks{step: step, money: tt.money}).Ticks(lo, hi) {
				got = append(got, tk.Label)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("labels = %q, want %q", got, tt.want)
			}
		})
	}
}
