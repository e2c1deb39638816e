package fake_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/fake"
)

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func modal(title string, blocks ...slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{Type: slack.VTModal, Title: plain(title), Submit: plain("Save"), Close: plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: blocks}}
}

func choice(v string) *slack.OptionBlockObject { return slack.NewOptionBlockObject(v, plain(v), nil) }

func TestViewsOpenAndUpdateFollowSlacksRules(t *testing.T) {
	t.Parallel()
	s := fake.NewSlack(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(s.URL))
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "freq", choice("daily"), choice("weekly"))
	sel.InitialOption = choice("daily")
	good := modal("Schedule", slack.NewInputBlock("frequency", plain("Frequency"), nil, sel))

	resp, err := api.OpenView("trigger-1", good)
	if err != nil {
		t.Fatalf("views.open: %v", err)
	}
	if resp.View.ID == "" || resp.View.Hash == "" {
		t.Fatalf("views.open gave no id or hash: %+v", resp.View)
	}
	if _, err := api.OpenView("trigger-1", good); !isSlackError(err, "exchanged_trigger_id") {
		t.Errorf("a trigger_id used twice: %v, want exchanged_trigger_id", err)
	}

	bad := []struct {
		name string
		view slack.ModalViewRequest
	}{
		{"title over 24 characters", modal("A title that is far too long for a modal")},
		{"initial option not among the options", func() slack.ModalViewRequest {
			el := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "freq", choice("daily"))
			el.InitialOption = choice("hourly")
			return modal("Schedule", slack.NewInputBlock("f", plain("Frequency"), nil, el))
		}()},
		{"a button in an input block", modal("Schedule", slack.NewInputBlock("b", plain("B"), nil,
			slack.NewButtonBlockElement("x", "1", plain("Go"))))},
		{"inputs without a submit button", func() slack.ModalViewRequest {
			v := good
			v.Submit = nil
			return v
		}()},
		{"number input without is_decimal_allowed as a whole number", modal("Schedule", slack.NewInputBlock("n", plain("N"), nil,
			&slack.NumberInputBlockElement{Type: slack.METNumber, ActionID: "n", InitialValue: "1.5"}))},
		{"a malformed time", modal("Schedule", slack.NewInputBlock("t", plain("T"), nil,
			&slack.TimePickerBlockElement{Type: slack.METTimepicker, ActionID: "t", InitialTime: "9:00"}))},
	}
	for i, tc := range bad {
		if _, err := api.OpenView("trigger-bad-"+string(rune('a'+i)), tc.view); !isSlackError(err, "invalid_arguments") {
			t.Errorf("%s: %v, want invalid_arguments", tc.name, err)
		}
	}

	updated := good
	updated.Title = plain("Schedule (2)")
	if _, err := api.UpdateView(updated, "", "not-the-hash", resp.View.ID); !isSlackError(err, "hash_conflict") {
		t.Errorf("update with a stale hash: %v, want hash_conflict", err)
	}
	if _, err := api.UpdateView(updated, "", resp.View.Hash, resp.View.ID); err != nil {
		t.Fatalf("views.update: %v", err)
	}
	views := s.Views()
	if len(views) != 1 || views[0].Updates != 1 || !strings.Contains(string(views[0].JSON), "Schedule (2)") {
		t.Errorf("views = %+v", views)
	}
}

func TestUsersInfoGivesTheTimeZone(t *testing.T) {
	t.Parallel()
	s := fake.NewSlack(t)
	s.AddUser(fake.User{ID: "U1", TZ: "Europe/Berlin"})
	api := slack.New("xoxb-test", slack.OptionAPIURL(s.URL))
	u, err := api.GetUserInfo("U1")
	if err != nil {
		t.Fatal(err)
	}
	if u.TZ != "Europe/Berlin" || (u.TZOffset != 3600 && u.TZOffset != 7200) {
		t.Errorf("tz = %q offset %d", u.TZ, u.TZOffset)
	}
	if _, err := api.GetUserInfo("U2"); !isSlackError(err, "user_not_found") {
		t.Errorf("unknown user: %v", err)
	}
}

func isSlackError(err error, code string) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && se.Err == code
}
