package main

import (
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/fake"
)

func TestFollowUpSeesTheThread(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	const thread, other = "1700000101.000100", "1700000102.000100"
	const first = "what was DAU by platform yesterday?"
	b.ask(platformSQL, "Yesterday *ios* led with the most users.", first, thread, "")

	seen := len(b.model.Requests())
	b.model.Script(fake.Reply("Android came second."))
	b.sendEvent(mention("and which platform came second?", "1700000101.000200", thread))
	b.waitForText("C100", thread, "Android came second.")
	req := b.model.Requests()[seen]
	if got := req.LastUserMessage(); got != "and which platform came second?" {
		t.Errorf("follow-up request ends with %q", got)
	}
	var sawQuestion, sawAnswer bool
	for _, m := range req.Messages {
		sawQuestion = sawQuestion || m.Role == "user" && m.Content == first
		sawAnswer = sawAnswer || m.Role == "assistant" && strings.Contains(m.Content, "Yesterday *ios* led") && strings.Contains(m.Content, platformSQL)
	}
	if !sawQuestion || !sawAnswer {
		t.Errorf("the follow-up's model request lacks the earlier question (%v) or its answer with SQL (%v): %s", sawQuestion, sawAnswer, req.Body)
	}

	// A question in another thread of the same channel starts afresh.
	seen = len(b.model.Requests())
	b.model.Script(fake.Reply("Nothing to compare yet."))
	b.sendEvent(mention("which platform came second?", other, ""))
	b.waitForText("C100", other, "Nothing to compare yet.")
	req = b.model.Requests()[seen]
	for _, leak := range []string{first, "Yesterday *ios* led", platformSQL, "Android came second."} {
		if strings.Contains(string(req.Body), leak) {
			t.Errorf("another thread's model request contains %q", leak)
		}
	}
}
