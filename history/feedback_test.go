package history_test

import (
	"context"
	"testing"

	"github.com/analytics-bot/analytics-bot/history"
)

func TestFeedbackKeepsTheLatestClick(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	id := f.record(entry(thread, "DAU?", "SELECT 1", history.StatusAnswered))
	alice := thread
	alice.UserID = "UALICE"

	changed, err := f.store.SetFeedback(ctx, alice, id, "down")
	if err != nil || !changed {
		t.Fatalf("first click: changed %v, %v", changed, err)
	}
	if changed, _ := f.store.SetFeedback(ctx, alice, id, "down"); changed {
		t.Error("the same click again changed the row")
	}
	if changed, _ := f.store.SetFeedback(ctx, alice, id, "up"); !changed {
		t.Error("a second, different click did not replace the first")
	}
	got, err := f.store.FeedbackOf(ctx, alice, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != "up" || got.By != "UALICE" || got.At.IsZero() {
		t.Errorf("feedback = %+v, want up by UALICE with a time", got)
	}
}

func TestFeedbackCannotReachAnotherTeamsQuestion(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id := f.record(entry(thread, "DAU?", "SELECT 1", history.StatusAnswered))
	if changed, err := f.store.SetFeedback(context.Background(), otherTeam, id, "down"); err != nil || changed {
		t.Errorf("another team's click changed the row (%v, %v)", changed, err)
	}
}

func TestFeedbackRejectsOtherOutcomes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	id := f.record(entry(thread, "DAU?", "SELECT 1", history.StatusAnswered))
	if _, err := f.store.SetFeedback(context.Background(), thread, id, "meh"); err == nil {
		t.Error("an outcome other than up or down was stored")
	}
}
