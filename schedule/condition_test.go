package schedule_test

import (
	"fmt"
	"testing"

	"github.com/analytics-bot/analytics-bot/schedule"
)

// TestAlertConditionsDeliverOnlyWhenTheyHold runs a schedule slot after
// slot with a changing first number and checks which slots were posted.
func TestAlertConditionsDeliverOnlyWhenTheyHold(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		cond   schedule.Condition
		values []string
		posted []bool
	}{
		{"above", schedule.Condition{Kind: schedule.Above, Threshold: 100}, []string{"50", "100", "150.5", "99"}, []bool{false, false, true, false}},
		{"below", schedule.Condition{Kind: schedule.Below, Threshold: 10}, []string{"12", "9", "10", "-3"}, []bool{false, true, false, true}},
		// The first delivery sets the baseline; later ones compare with the
		// last posted value, not the last checked one.
		{"percent change", schedule.Condition{Kind: schedule.Change, Threshold: 10}, []string{"100", "105", "109", "111", "101", "125"}, []bool{true, false, false, true, false, true}},
		// k·σ over the last M deliveries, posted or not.
		{"outside k sigma", schedule.Condition{Kind: schedule.Outlier, Threshold: 2, Window: 4},
			[]string{"100", "102", "98", "101", "99", "130", "100", "60"}, []bool{false, false, true, false, false, true, false, true}},
		{"no number never alerts", schedule.Condition{Kind: schedule.Above, Threshold: 0}, []string{"'text'", "NULL::int"}, []bool{false, false}},
		{"always", schedule.Condition{Kind: schedule.Always}, []string{"1", "'text'"}, []bool{true, true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			in := f.start(t)
			sch := f.create(t, in, "SELECT 0", mondayNine, tc.cond)
			slot := sch.NextRunAt
			for i, v := range tc.values {
				f.setSQL(t, sch.ID, fmt.Sprintf("SELECT %s AS value, 'x' AS label", v))
				f.clock.Set(slot.AddDate(0, 0, 7*i))
				if n := tick(t, in); n != 1 {
					t.Fatalf("slot %d: planned %d deliveries", i, n)
				}
				waitJobs(t, 1, in)
			}
			ds, err := in.svc.Store().Deliveries(t.Context(), sch.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != len(tc.values) {
				t.Fatalf("%d deliveries, want %d", len(ds), len(tc.values))
			}
			posted := 0
			for i, d := range ds {
				if got := d.Status == schedule.StatusPosted; got != tc.posted[i] {
					t.Errorf("slot %d (value %s): status %s, want posted=%v", i, tc.values[i], d.Status, tc.posted[i])
				}
				if tc.posted[i] {
					posted++
				}
			}
			if got := len(posts(f.slack, "C100")); got != posted {
				t.Errorf("%d messages in the channel, want %d", got, posted)
			}
		})
	}
}
