package slackmsg

import (
	"testing"

	"github.com/slack-go/slack"
)

func TestScheduleButtonOnlyWhenOnAndTheAnswerHasSQL(t *testing.T) {
	t.Parallel()
	has := func(r Renderer, historyID int64, sql string) bool {
		ans := threeRows()
		ans.SQL = sql
		actions, _ := find[*slack.ActionBlock](r.Answer(ans, historyID).Blocks)
		for _, e := range actions.Elements.ElementSet {
			if b, ok := e.(*slack.ButtonBlockElement); ok && b.ActionID == ActionSchedule {
				return b.Value == "42"
			}
		}
		return false
	}
	if !has(Renderer{ScheduleButton: true}, 42, "SELECT 1") {
		t.Error("no Schedule… button (valued with the history id) on an answer with SQL")
	}
	if has(Renderer{}, 42, "SELECT 1") {
		t.Error("Schedule… shown with SCHEDULES off")
	}
	if has(Renderer{ScheduleButton: true}, 0, "SELECT 1") || has(Renderer{ScheduleButton: true}, 42, "") {
		t.Error("Schedule… shown without a history row or without SQL")
	}
}
