package schedule_test

import (
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/schedule"
)

func TestFailingSQLPausesAfterThreeAndTellsTheCreator(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.start(t)
	daily := schedule.Cadence{Frequency: schedule.Daily, Hour: 9, TimeZone: "Europe/Berlin"}
	sch := f.create(t, in, "SELECT no_such_column FROM (SELECT 1 AS one) t", daily, schedule.Condition{})
	slot := sch.NextRunAt
	for i := range 3 {
		f.clock.Set(slot.AddDate(0, 0, i))
		if n := tick(t, in); n != 1 {
			t.Fatalf("slot %d: planned %d deliveries", i, n)
		}
		waitJobs(t, 1, in)
	}
	got, err := in.svc.Store().Get(t.Context(), sch.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Paused || got.Failures != 3 || got.PausedReason == "" {
		t.Fatalf("after three failures: paused=%v failures=%d reason=%q", got.Paused, got.Failures, got.PausedReason)
	}
	if n := len(posts(f.slack, "C100")); n != 0 {
		t.Errorf("a failing schedule posted %d messages in its channel", n)
	}
	notes := posts(f.slack, "UCREATOR")
	if len(notes) != 3 {
		t.Fatalf("the creator got %d notes, want one per failure", len(notes))
	}
	if !strings.Contains(notes[0].Text, "no_such_column") || !strings.Contains(notes[2].Text, "paused") {
		t.Errorf("notes = %q / %q", notes[0].Text, notes[2].Text)
	}
	// Paused: the next slot is not planned.
	f.clock.Set(slot.AddDate(0, 0, 3))
	if n := tick(t, in); n != 0 {
		t.Errorf("a paused schedule was planned %d times", n)
	}
	var failed int
	if err := f.db.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+historyTable(t, f)+" WHERE status = 'delivery_failed'").Scan(&failed); err != nil {
		t.Fatal(err)
	}
	if failed != 3 {
		t.Errorf("%d failed deliveries in query_history, want 3", failed)
	}
}

func TestASuccessBetweenFailuresStartsTheCountAgain(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.start(t)
	daily := schedule.Cadence{Frequency: schedule.Daily, Hour: 9, TimeZone: "UTC"}
	sch := f.create(t, in, "SELECT broken", daily, schedule.Condition{})
	for i, sql := range []string{"SELECT broken", "SELECT broken", "SELECT 1", "SELECT broken", "SELECT broken"} {
		f.setSQL(t, sch.ID, sql)
		f.clock.Set(sch.NextRunAt.AddDate(0, 0, i))
		tick(t, in)
		waitJobs(t, 1, in)
	}
	got, _ := in.svc.Store().Get(t.Context(), sch.ID)
	if got.Paused || got.Failures != 2 {
		t.Errorf("paused=%v failures=%d, want running with 2 failures in a row", got.Paused, got.Failures)
	}
}

// historyTable is where deliveries are recorded.
func historyTable(*testing.T, *fixture) string { return "analytics_bot.query_history" }
