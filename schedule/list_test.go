package schedule_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/schedule"
)

// listed is "/analytics schedules" in C100 as user.
func listed(t *testing.T, in *instance, user string) *slack.Msg {
	t.Helper()
	msg, err := in.svc.Command(t.Context(), slack.SlashCommand{
		Command: "/analytics", Text: "schedules", TeamID: "T0001", ChannelID: "C100", UserID: user, TriggerID: "tr",
	})
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func listJSON(t *testing.T, m *slack.Msg) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"response_type": m.ResponseType, "text": m.Text, "blocks": m.Blocks.BlockSet})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func buttonIDs(m *slack.Msg) []string {
	var ids []string
	for _, b := range m.Blocks.BlockSet {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, e := range a.Elements.ElementSet {
				ids = append(ids, e.(*slack.ButtonBlockElement).ActionID)
			}
		}
	}
	return ids
}

func TestListShowsButtonsOnlyToTheCreatorAndCurators(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.start(t)
	weekly := f.create(t, in, "SELECT 12 AS crashes", mondayNine, schedule.Condition{})
	alert := f.create(t, in, "SELECT no_such_column", schedule.Cadence{Frequency: schedule.Monthly, Day: 1, Hour: 7, Minute: 30, TimeZone: "America/New_York"},
		schedule.Condition{Kind: schedule.Above, Threshold: 1000})
	// One delivery of the weekly report, and three failures of the alert.
	for i := range 3 {
		f.clock.Set(alert.NextRunAt.AddDate(0, i, 0).Add(time.Second))
		waitJobs(t, tick(t, in), in)
	}
	f.clock.Set(time.Date(2027, 2, 1, 18, 0, 0, 0, berlin))
	if err := in.svc.Store().Pause(t.Context(), weekly.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := in.svc.Store().Resume(t.Context(), weekly.ID, time.Date(2027, 2, 8, 9, 0, 0, 0, berlin)); err != nil {
		t.Fatal(err)
	}

	creator := listed(t, in, "UCREATOR")
	golden(t, "list_creator", listJSON(t, creator))
	if got := strings.Join(buttonIDs(creator), ","); got != "schedule_pause,schedule_delete,schedule_resume,schedule_delete" {
		t.Errorf("the creator's buttons = %s", got)
	}
	if got := buttonIDs(listed(t, in, "UCURATOR")); len(got) != 4 {
		t.Errorf("a curator's buttons = %v, want all four", got)
	}
	other := listed(t, in, "USOMEONE")
	if got := buttonIDs(other); len(got) != 0 {
		t.Errorf("someone else sees buttons %v, want the list read-only", got)
	}
	if len(other.Blocks.BlockSet) != 5 {
		t.Errorf("someone else's list has %d blocks, want the title and two entries", len(other.Blocks.BlockSet))
	}
}

func TestPauseResumeDeleteFromTheList(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.start(t)
	sch := f.create(t, in, "SELECT 1", mondayNine, schedule.Condition{})
	id := strconv.FormatInt(sch.ID, 10)
	act := func(action, user string) {
		t.Helper()
		cb := press(action, id, user)
		cb.ResponseURL = f.slack.ResponseURL()
		if _, err := in.svc.Interaction(t.Context(), cb); err != nil {
			t.Fatal(err)
		}
	}
	get := func() (schedule.Schedule, error) { return in.svc.Store().Get(context.Background(), sch.ID) }

	act(schedule.ActionPause, "USOMEONE")
	if got, _ := get(); got.Paused {
		t.Fatal("someone who is neither the creator nor a curator paused the schedule")
	}
	posts := f.slack.ResponseURLPosts()
	if len(posts) != 1 || !strings.Contains(string(posts[0].Body), "Only the person who scheduled it") {
		t.Fatalf("refusal = %v", posts)
	}

	act(schedule.ActionPause, "UCREATOR")
	if got, _ := get(); !got.Paused {
		t.Fatal("the creator could not pause")
	}
	last := f.slack.ResponseURLPosts()[1]
	if !strings.Contains(string(last.Body), `"replace_original":true`) || !strings.Contains(string(last.Body), "schedule_resume") {
		t.Errorf("the list was not redrawn with Resume: %s", last.Body)
	}
	f.clock.Set(time.Date(2026, 12, 16, 12, 0, 0, 0, berlin)) // two slots passed while paused
	act(schedule.ActionResume, "UCREATOR")
	got, _ := get()
	if got.Paused || !got.NextRunAt.Equal(time.Date(2026, 12, 21, 9, 0, 0, 0, berlin)) {
		t.Errorf("after resume: paused=%v next=%v, want the next Monday and no catch-up", got.Paused, got.NextRunAt)
	}
	if n := tick(t, in); n != 0 {
		t.Errorf("resuming planned %d deliveries of slots missed while paused", n)
	}
	act(schedule.ActionDelete, "UCURATOR")
	if _, err := get(); err != schedule.ErrNotFound {
		t.Errorf("a curator's delete: %v", err)
	}
}

// stubAgent answers every question with fixed SQL, or fails.
type stubAgent struct{ sql string }

func (a stubAgent) Run(_ context.Context, q string, _ history.Conversation) (*agent.Answer, error) {
	if a.sql == "" {
		return &agent.Answer{Text: "I could not", Status: history.StatusFailed}, nil
	}
	return &agent.Answer{Text: "ok", SQL: a.sql, Status: history.StatusAnswered, HistoryID: 77}, nil
}

func TestTypedQuestionIsAnsweredOnceThenFrozen(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.start(t, func(o *schedule.Options) { o.Agent = stubAgent{sql: "SELECT 5 AS n"} })
	msg, err := in.svc.Command(t.Context(), slack.SlashCommand{
		Command: "/analytics", Text: "schedule DAU by platform", TeamID: "T0001", ChannelID: "C100", UserID: "U123", TriggerID: "tr-typed",
	})
	if err != nil || msg != nil {
		t.Fatalf("command = %v, %v; want the modal and no message", msg, err)
	}
	raw, view := openedView(t, f.slack)
	golden(t, "modal_typed", raw)

	values := weeklyValues()
	values["question"] = slack.BlockAction{Value: "DAU by platform"}
	resp, err := in.svc.Interaction(t.Context(), submission(fill(view, values), "U123"))
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := json.Marshal(resp); !strings.Contains(string(body), "Working on it") {
		t.Errorf("typed submission answered %s", body)
	}
	waitJobs(t, 1, in)
	list, _ := in.svc.Store().Channel(t.Context(), "T0001", "C100")
	if len(list) != 1 || list[0].SQL != "SELECT 5 AS n" || list[0].HistoryID != 77 || list[0].Question != "DAU by platform" {
		t.Fatalf("stored %+v", list)
	}
	notes := f.slack.Messages()
	if len(notes) != 1 || !notes[0].Ephemeral || !strings.Contains(notes[0].Text, "Scheduled “DAU by platform”") {
		t.Errorf("the creator was told %+v", notes)
	}
}
