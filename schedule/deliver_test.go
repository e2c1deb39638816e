package schedule_test

import (
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/schedule"
)

var mondayNine = schedule.Cadence{Frequency: schedule.Weekly, Day: int(time.Monday), Hour: 9, TimeZone: "Europe/Berlin"}

func TestWeeklySlotIsDeliveredOnceByTwoInstances(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a, b := f.start(t), f.start(t)
	sch := f.create(t, a, "SELECT 1234.5::numeric AS revenue_usd", mondayNine, schedule.Condition{})
	if want := time.Date(2026, 11, 30, 9, 0, 0, 0, berlin); !sch.NextRunAt.Equal(want) {
		t.Fatalf("next run = %v, want %v", sch.NextRunAt, want)
	}

	if n := tick(t, a, b); n != 0 {
		t.Fatalf("planned %d deliveries before the slot", n)
	}
	for _, at := range []time.Time{
		time.Date(2026, 11, 30, 9, 0, 0, 0, berlin),
		time.Date(2026, 11, 30, 9, 0, 5, 0, berlin),
	} {
		f.clock.Set(at)
		tick(t, a, b)
		tick(t, b, a)
	}
	waitJobs(t, 1, a, b)
	got := posts(f.slack, "C100")
	if len(got) != 1 {
		t.Fatalf("posted %d messages for one slot, want 1", len(got))
	}
	if !contains(got[0], "Revenue last week?") || !contains(got[0], "1,234.5") && !contains(got[0], "1234.5") {
		t.Errorf("delivery lacks the question or the value: %s", got[0].Blocks)
	}
	if !contains(got[0], "Scheduled by <@UCREATOR> · next: Mon 7 Dec 09:00 Europe/Berlin") &&
		!contains(got[0], "Scheduled by <@UCREATOR> · next: Mon 09:00 Europe/Berlin") {
		t.Errorf("delivery lacks the scheduled line: %s", got[0].Blocks)
	}

	// The next week's slot is a new delivery.
	f.clock.Set(time.Date(2026, 12, 7, 9, 0, 1, 0, berlin))
	tick(t, a, b)
	waitJobs(t, 1, a, b)
	if got := posts(f.slack, "C100"); len(got) != 2 {
		t.Fatalf("after two weekly slots: %d messages, want 2", len(got))
	}
	ds, err := a.svc.Store().Deliveries(t.Context(), sch.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Status != schedule.StatusPosted || ds[0].Late || ds[1].Late {
		t.Errorf("deliveries = %+v", ds)
	}
}

func TestRestartAcrossSlotsDeliversOnceLate(t *testing.T) {
	t.Parallel()
	f := setup(t)
	daily := schedule.Cadence{Frequency: schedule.Daily, Hour: 9, TimeZone: "Europe/Berlin"}
	before := f.start(t)
	f.clock.Set(time.Date(2026, 11, 30, 8, 0, 0, 0, berlin))
	sch := f.create(t, before, "SELECT 7 AS crashes", daily, schedule.Condition{})
	before.cancel() // every instance is down across Monday's, Tuesday's and Wednesday's slots

	f.clock.Set(time.Date(2026, 12, 2, 10, 30, 0, 0, berlin))
	after := f.start(t)
	if n := tick(t, after); n != 1 {
		t.Fatalf("planned %d deliveries on start, want 1 (the latest missed slot)", n)
	}
	waitJobs(t, 1, after)
	got := posts(f.slack, "C100")
	if len(got) != 1 {
		t.Fatalf("posted %d messages, want 1", len(got))
	}
	if !contains(got[0], "Late") {
		t.Errorf("the late delivery does not say it is late: %s", got[0].Blocks)
	}
	ds, _ := after.svc.Store().Deliveries(t.Context(), sch.ID)
	if len(ds) != 1 || !ds[0].Late || !ds[0].Slot.Equal(time.Date(2026, 12, 2, 9, 0, 0, 0, berlin)) {
		t.Fatalf("deliveries = %+v, want one late delivery of Wednesday's slot", ds)
	}
	again, _ := after.svc.Store().Get(t.Context(), sch.ID)
	if want := time.Date(2026, 12, 3, 9, 0, 0, 0, berlin); !again.NextRunAt.Equal(want) {
		t.Errorf("next run = %v, want %v", again.NextRunAt, want)
	}
	if n := tick(t, after); n != 0 {
		t.Errorf("a second tick planned %d more deliveries", n)
	}
}

func TestDeliveryIsRecordedInQueryHistoryWithoutModel(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.start(t)
	sch := f.create(t, in, "SELECT 3 AS n", mondayNine, schedule.Condition{})
	f.clock.Set(sch.NextRunAt)
	tick(t, in)
	waitJobs(t, 1, in)
	var status, model, sql, thread string
	var tokens int
	err := f.db.Pool.QueryRow(t.Context(), `SELECT status, model, tokens_in + tokens_out, sql, thread_ts FROM `+historyTable(t, f)).
		Scan(&status, &model, &tokens, &sql, &thread)
	if err != nil {
		t.Fatal(err)
	}
	msg := posts(f.slack, "C100")[0]
	if status != "delivered" || model != "" || tokens != 0 || sql != "SELECT 3 AS n" || thread != msg.TS {
		t.Errorf("history row = %s %q %d %q thread %q (message %s)", status, model, tokens, sql, thread, msg.TS)
	}
}

func TestRateLimitedDeliveryIsPostedOnceAndRecordedOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.start(t)
	sch := f.create(t, in, "SELECT 3 AS n", mondayNine, schedule.Condition{})
	f.slack.RateLimit("chat.postMessage", 1, time.Second)
	f.clock.Set(sch.NextRunAt)
	tick(t, in)
	waitJobs(t, 1, in)
	if got := posts(f.slack, "C100"); len(got) != 1 {
		t.Fatalf("posted %d messages, want 1 after the rate limit", len(got))
	}
	var rows int
	if err := f.db.Pool.QueryRow(t.Context(), "SELECT count(*) FROM "+historyTable(t, f)).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("%d query_history rows for one delivery retried after a rate limit, want 1", rows)
	}
}
