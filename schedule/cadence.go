package schedule

import (
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/robfig/cron/v3"
)

// Frequency is how often a schedule runs.
type Frequency string

// The frequencies the modal offers.
const (
	Daily    Frequency = "daily"
	Weekdays Frequency = "weekdays"
	Weekly   Frequency = "weekly"
	Monthly  Frequency = "monthly"
)

// Cadence is when a schedule runs: a frequency, a day when the frequency
// needs one, a time of day and the time zone that time is in.
type Cadence struct {
	Frequency Frequency
	// Day is the weekday for Weekly (0 Sunday … 6 Saturday) or the day
	// of the month for Monthly (1 … 28, so that every month has it).
	Day      int
	Hour     int
	Minute   int
	TimeZone string
}

// Errors of a cadence, shown next to the field that is wrong.
var (
	ErrFrequency = errors.New("choose daily, weekdays, weekly or monthly")
	ErrWeekday   = errors.New("choose the day of the week")
	ErrMonthDay  = errors.New("choose a day of the month from 1 to 28")
	ErrTimeOfDay = errors.New("choose a time of day")
	ErrTimeZone  = errors.New("unknown time zone; use a name such as Europe/Berlin or America/New_York")
)

// Validate reports the first thing wrong with the cadence.
func (c Cadence) Validate() error {
	_, err := c.spec()
	return err
}

// Next is the first run strictly after t.
func (c Cadence) Next(t time.Time) (time.Time, error) {
	s, err := c.spec()
	if err != nil {
		return time.Time{}, err
	}
	return s.Next(t).UTC(), nil
}

// Latest is the last run at or before now, starting from a run known to
// be at or before now, and the first run after now.
func (c Cadence) Latest(from, now time.Time) (latest, next time.Time, err error) {
	s, err := c.spec()
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	latest = from
	for {
		n := s.Next(latest)
		if n.IsZero() || n.After(now) {
			return latest.UTC(), n.UTC(), nil
		}
		latest = n
	}
}

// spec is the cadence as a cron schedule in its time zone; robfig/cron
// does the calendar arithmetic, daylight saving time included.
func (c Cadence) spec() (cron.Schedule, error) {
	if c.Hour < 0 || c.Hour > 23 || c.Minute < 0 || c.Minute > 59 {
		return nil, ErrTimeOfDay
	}
	if c.TimeZone == "" {
		return nil, ErrTimeZone
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return nil, ErrTimeZone
	}
	var days string
	switch c.Frequency {
	case Daily:
		days = "* * *"
	case Weekdays:
		days = "* * 1-5"
	case Weekly:
		if c.Day < 0 || c.Day > 6 {
			return nil, ErrWeekday
		}
		days = fmt.Sprintf("* * %d", c.Day)
	case Monthly:
		if c.Day < 1 || c.Day > 28 {
			return nil, ErrMonthDay
		}
		days = fmt.Sprintf("%d * *", c.Day)
	default:
		return nil, ErrFrequency
	}
	s, err := cron.ParseStandard(fmt.Sprintf("CRON_TZ=%s %d %d %s", c.TimeZone, c.Minute, c.Hour, days))
	if err != nil {
		return nil, fmt.Errorf("cadence: %w", err)
	}
	return s, nil
}

// Clock is the time of day, as HH:MM.
func (c Cadence) Clock() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// String describes the cadence for people: "every Monday at 09:00
// (Europe/Berlin)".
func (c Cadence) String() string {
	var when string
	switch c.Frequency {
	case Daily:
		when = "every day"
	case Weekdays:
		when = "every weekday"
	case Weekly:
		when = "every " + time.Weekday(c.Day).String()
	case Monthly:
		when = "monthly on the " + ordinal(c.Day)
	default:
		when = string(c.Frequency)
	}
	return fmt.Sprintf("%s at %s (%s)", when, c.Clock(), c.TimeZone)
}

// When names a run for people, in the cadence's time zone: "Mon 09:00
// Europe/Berlin", with the date when it is more than a week from now.
func (c Cadence) When(t, now time.Time) string {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	layout := "Mon 15:04"
	if t.Sub(now) >= 7*24*time.Hour || t.Before(now) {
		layout = "Mon 2 Jan 15:04"
	}
	return t.In(loc).Format(layout) + " " + c.TimeZone
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}
