package schedule_test

import (
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/schedule"
)

func TestCadenceNextRuns(t *testing.T) {
	t.Parallel()
	ny := mustLocation("America/New_York")
	cases := []struct {
		name  string
		c     schedule.Cadence
		after time.Time
		want  time.Time
	}{
		{"weekly across the end of summer time keeps 09:00 local",
			schedule.Cadence{Frequency: schedule.Weekly, Day: 1, Hour: 9, TimeZone: "Europe/Berlin"},
			time.Date(2026, 10, 19, 9, 0, 0, 0, berlin), time.Date(2026, 10, 26, 9, 0, 0, 0, berlin)},
		{"weekdays skip the weekend",
			schedule.Cadence{Frequency: schedule.Weekdays, Hour: 7, Minute: 45, TimeZone: "America/New_York"},
			time.Date(2026, 12, 4, 8, 0, 0, 0, ny), time.Date(2026, 12, 7, 7, 45, 0, 0, ny)},
		{"monthly on the 28th",
			schedule.Cadence{Frequency: schedule.Monthly, Day: 28, Hour: 18, TimeZone: "UTC"},
			time.Date(2027, 1, 28, 18, 0, 0, 0, time.UTC), time.Date(2027, 2, 28, 18, 0, 0, 0, time.UTC)},
		{"daily, later the same day",
			schedule.Cadence{Frequency: schedule.Daily, Hour: 23, Minute: 59, TimeZone: "Asia/Kolkata"},
			time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 23, 59, 0, 0, mustLocation("Asia/Kolkata"))},
	}
	for _, tc := range cases {
		got, err := tc.c.Next(tc.after)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("%s: Next = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

func TestCadenceRefusesWhatItCannotRun(t *testing.T) {
	t.Parallel()
	for _, c := range []schedule.Cadence{
		{Frequency: schedule.Monthly, Day: 31, TimeZone: "UTC"},
		{Frequency: schedule.Weekly, Day: 7, TimeZone: "UTC"},
		{Frequency: "hourly", TimeZone: "UTC"},
		{Frequency: schedule.Daily, Hour: 24, TimeZone: "UTC"},
		{Frequency: schedule.Daily, TimeZone: "Europe/Atlantis"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v was accepted", c)
		}
	}
}

func TestCadenceWhenIsInItsTimeZone(t *testing.T) {
	t.Parallel()
	c := schedule.Cadence{Frequency: schedule.Weekly, Day: 1, Hour: 9, TimeZone: "Europe/Berlin"}
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	if got := c.When(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), now); got != "Mon 09:00 Europe/Berlin" {
		t.Errorf("When = %q", got)
	}
	if got := c.String(); got != "every Monday at 09:00 (Europe/Berlin)" {
		t.Errorf("String = %q", got)
	}
}
