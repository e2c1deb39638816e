package schedule_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/schedule"
)

// answer records an answered question in a thread, as the agent does.
func (f *fixture) answer(t *testing.T, sql string) int64 {
	t.Helper()
	id, err := f.hist.Record(t.Context(), history.Entry{
		Conversation: history.Conversation{TeamID: "T0001", ChannelID: "C100", ThreadTS: "1700000000.000100", UserID: "U123"},
		Question:     "What was revenue by platform last week?", SQL: sql, RowCount: 3, Status: history.StatusAnswered,
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// press is a block_actions payload for a button under the answer.
func press(actionID, value, user string) slack.InteractionCallback {
	var cb slack.InteractionCallback
	cb.Type = slack.InteractionTypeBlockActions
	cb.TriggerID = "trigger-" + actionID + "-" + value + "-" + user
	cb.Team.ID, cb.User.ID, cb.Channel.ID = "T0001", user, "C100"
	cb.Message.Timestamp, cb.Message.ThreadTimestamp = "1700000000.000200", "1700000000.000100"
	cb.ResponseURL = ""
	cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: actionID, Value: value, BlockID: "b"}}
	return cb
}

// openedView is the JSON of the latest modal the fake Slack holds, and
// the view as the bot's next payloads would carry it.
func openedView(t *testing.T, s *fake.Slack) (json.RawMessage, slack.View) {
	t.Helper()
	views := s.Views()
	if len(views) == 0 {
		t.Fatal("no modal was opened")
	}
	v := views[len(views)-1]
	var view slack.View
	if err := json.Unmarshal(v.JSON, &view); err != nil {
		t.Fatal(err)
	}
	view.ID, view.Hash = v.ID, v.Hash
	return v.JSON, view
}

// fill sets the view's state as Slack sends it with a submission.
func fill(view slack.View, values map[string]slack.BlockAction) slack.View {
	view.State = &slack.ViewState{Values: map[string]map[string]slack.BlockAction{}}
	for block, a := range values {
		id := "value"
		switch block {
		case "frequency":
			id = "schedule_frequency"
		case "condition":
			id = "schedule_condition"
		}
		view.State.Values[block] = map[string]slack.BlockAction{id: a}
	}
	return view
}

func chosen(v string) slack.BlockAction {
	return slack.BlockAction{SelectedOption: slack.OptionBlockObject{Value: v}}
}

// weeklyValues are a valid submission: Mondays at 09:00 in Berlin, in C100.
func weeklyValues() map[string]slack.BlockAction {
	return map[string]slack.BlockAction{
		"frequency": chosen("weekly"), "weekday": chosen("1"), "time": {SelectedTime: "09:00"},
		"timezone": {Value: "Europe/Berlin"}, "channel": {SelectedConversation: "C100"}, "condition": chosen("always"),
	}
}

func submission(view slack.View, user string) slack.InteractionCallback {
	var cb slack.InteractionCallback
	cb.Type = slack.InteractionTypeViewSubmission
	cb.Team.ID, cb.User.ID = "T0001", user
	cb.View = view
	return cb
}

func TestScheduleButtonOpensTheModalInTheClickersTimeZone(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.slack.AddUser(fake.User{ID: "U123", TZ: "Europe/Berlin"})
	in := f.start(t)
	id := f.answer(t, "SELECT platform, sum(revenue_usd) FROM app_metrics GROUP BY 1")
	if _, err := in.svc.Interaction(t.Context(), press(schedule.ActionOpen, strconv.FormatInt(id, 10), "U123")); err != nil {
		t.Fatal(err)
	}
	raw, _ := openedView(t, f.slack)
	golden(t, "modal_from_answer", raw)
}

func TestChangingFrequencyAndConditionUpdatesTheModal(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.start(t)
	id := f.answer(t, "SELECT 1")
	if _, err := in.svc.Interaction(t.Context(), press(schedule.ActionOpen, strconv.FormatInt(id, 10), "U123")); err != nil {
		t.Fatal(err)
	}
	_, view := openedView(t, f.slack)
	values := weeklyValues()
	values["frequency"], values["condition"] = chosen("monthly"), chosen("outlier")
	cb := press("schedule_condition", "", "U123")
	cb.View = fill(view, values)
	if _, err := in.svc.Interaction(t.Context(), cb); err != nil {
		t.Fatal(err)
	}
	views := f.slack.Views()
	if len(views) != 1 || views[0].Updates != 1 {
		t.Fatalf("views = %+v, want the one modal updated once", views)
	}
	golden(t, "modal_monthly_outlier", views[0].JSON)
}

func TestModalSubmissionErrorsComeBackAsResponseActionErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.start(t, func(o *schedule.Options) {
		o.Allowed = func(channel, _ string) bool { return channel != "CSECRET" }
	})
	id := f.answer(t, "SELECT 1")
	if _, err := in.svc.Interaction(t.Context(), press(schedule.ActionOpen, strconv.FormatInt(id, 10), "U123")); err != nil {
		t.Fatal(err)
	}
	_, view := openedView(t, f.slack)
	cases := []struct {
		name   string
		change map[string]slack.BlockAction
		want   map[string]string
	}{
		{"unknown time zone and no time", map[string]slack.BlockAction{"timezone": {Value: "Mars/Olympus"}, "time": {}},
			map[string]string{"timezone": "Unknown time zone", "time": "Choose a time of day."}},
		{"day of month out of range", map[string]slack.BlockAction{"frequency": chosen("monthly"), "month_day": {Value: "31"}},
			map[string]string{"month_day": "Choose a day of the month from 1 to 28."}},
		{"threshold missing", map[string]slack.BlockAction{"condition": chosen("above"), "threshold": {Value: ""}},
			map[string]string{"threshold": "Enter a number."}},
		{"window too small", map[string]slack.BlockAction{"condition": chosen("outlier"), "deviations": {Value: "2"}, "window": {Value: "2"}},
			map[string]string{"window": "from 3 to 100"}},
		{"negative percent", map[string]slack.BlockAction{"condition": chosen("change"), "percent": {Value: "-5"}},
			map[string]string{"percent": "above 0"}},
		{"channel not on the allowlist", map[string]slack.BlockAction{"channel": {SelectedConversation: "CSECRET"}},
			map[string]string{"channel": "You can't schedule questions into that channel."}},
	}
	for _, tc := range cases {
		values := weeklyValues()
		for k, v := range tc.change {
			values[k] = v
		}
		resp, err := in.svc.Interaction(t.Context(), submission(fill(view, values), "U123"))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		body, _ := json.Marshal(resp)
		var got struct {
			ResponseAction string            `json:"response_action"`
			Errors         map[string]string `json:"errors"`
		}
		_ = json.Unmarshal(body, &got)
		if got.ResponseAction != "errors" || len(got.Errors) != len(tc.want) {
			t.Errorf("%s: response %s, want errors on %v", tc.name, body, tc.want)
			continue
		}
		for block, text := range tc.want {
			if !strings.Contains(got.Errors[block], text) {
				t.Errorf("%s: error on %s = %q, want it to say %q", tc.name, block, got.Errors[block], text)
			}
		}
	}
	if list, _ := in.svc.Store().Channel(t.Context(), "T0001", "C100"); len(list) != 0 {
		t.Errorf("an invalid submission stored %d schedules", len(list))
	}
}

func TestValidSubmissionStoresTheAnswersSQLUntilTheChannelIsFull(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := f.start(t, func(o *schedule.Options) { o.PerChannel = 2 })
	id := f.answer(t, "SELECT 42 AS answer")
	if _, err := in.svc.Interaction(t.Context(), press(schedule.ActionOpen, strconv.FormatInt(id, 10), "U123")); err != nil {
		t.Fatal(err)
	}
	_, view := openedView(t, f.slack)
	for i := range 3 {
		resp, err := in.svc.Interaction(t.Context(), submission(fill(view, weeklyValues()), "U123"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(resp)
		if i < 2 && (!strings.Contains(string(body), `"response_action":"update"`) || !strings.Contains(string(body), "Next: Mon 30 Nov 09:00 Europe/Berlin") && !strings.Contains(string(body), "Next: Mon 09:00 Europe/Berlin")) {
			t.Errorf("submission %d: %s, want a confirmation with the next run", i, body)
		}
		if i == 2 && !strings.Contains(string(body), `"channel":"That channel already has 2 schedules`) {
			t.Errorf("third submission: %s, want the channel's cap as an error", body)
		}
	}
	list, err := in.svc.Store().Channel(t.Context(), "T0001", "C100")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].SQL != "SELECT 42 AS answer" || list[0].CreatorID != "U123" || list[0].HistoryID != id ||
		list[0].Question != "What was revenue by platform last week?" {
		t.Fatalf("stored %+v", list)
	}
}
