package tools_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/tools"
)

func TestFetchHistorySeesOnlyThisConversation(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	others := map[string]history.Conversation{
		"other thread":          {TeamID: "T1", ChannelID: "C1", ThreadTS: "1700000999.000100", UserID: "U1"},
		"other channel":         {TeamID: "T1", ChannelID: "C2", ThreadTS: thisThread.ThreadTS, UserID: "U1"},
		"other team":            {TeamID: "T2", ChannelID: "C1", ThreadTS: thisThread.ThreadTS, UserID: "U1"},
		"DM of another user":    {TeamID: "T1", ChannelID: "D0OTHER", ThreadTS: thisThread.ThreadTS, UserID: "U2"},
		"no thread, no channel": {TeamID: "T1"},
	}
	f.record(thisThread, "first question here", "SELECT 1", history.StatusAnswered)
	for name, conv := range others {
		f.record(conv, "LEAK from "+name, "SELECT 'leak'", history.StatusAnswered)
	}
	// Another person asking in the same thread is part of the conversation.
	sameThreadOtherUser := thisThread
	sameThreadOtherUser.UserID = "U7"
	f.record(sameThreadOtherUser, "second question here", "", history.StatusFailed)
	for name, conv := range others {
		f.record(conv, "LEAK again from "+name, "", history.StatusAnswered)
	}
	f.record(thisThread, "third question here", "SELECT 3", history.StatusAnswered)

	tl := tool(t, tools.NewSet(f.deps(0), thisThread), "fetch_history")
	out := call(t, tl, map[string]any{})
	if out.IsError {
		t.Fatal(out.Text)
	}
	if strings.Contains(out.Text, "LEAK") {
		t.Errorf("another conversation's questions were fetched:\n%s", out.Text)
	}
	i1, i2, i3 := strings.Index(out.Text, "first question here"), strings.Index(out.Text, "second question here"), strings.Index(out.Text, "third question here")
	if i1 < 0 || i2 < 0 || i3 < 0 || !(i1 < i2 && i2 < i3) {
		t.Errorf("want this thread's three questions, oldest first and newest last:\n%s", out.Text)
	}
	if !strings.Contains(out.Text, "sql: SELECT 3") || !strings.Contains(out.Text, "outcome: failed") {
		t.Errorf("the SQL and the outcome are missing:\n%s", out.Text)
	}

	limited := call(t, tl, map[string]any{"limit": 2})
	if strings.Contains(limited.Text, "first question here") || !strings.Contains(limited.Text, "second question here") ||
		strings.Index(limited.Text, "second question here") > strings.Index(limited.Text, "third question here") {
		t.Errorf("limit 2 must give the two newest questions, newest last:\n%s", limited.Text)
	}
	if strings.Contains(limited.Text, "LEAK") {
		t.Errorf("another conversation's questions were fetched:\n%s", limited.Text)
	}
}

func TestFetchHistoryCapsAndDefaultsTheLimit(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	for i := range 25 {
		f.record(thisThread, fmt.Sprintf("question number %02d", i), "", history.StatusAnswered)
	}
	tl := tool(t, tools.NewSet(f.deps(0), thisThread), "fetch_history")
	count := func(text string) int { return strings.Count(text, "question: question number") }

	if n := count(call(t, tl, map[string]any{}).Text); n != 5 {
		t.Errorf("without a limit: %d questions, want the default 5", n)
	}
	big := call(t, tl, map[string]any{"limit": 1000}).Text
	if n := count(big); n != 20 {
		t.Errorf("limit 1000: %d questions, want the cap of 20", n)
	}
	if !strings.Contains(big, "question number 24") || strings.Contains(big, "question number 04") {
		t.Errorf("the capped history is not the newest questions:\n%s", big)
	}
}

func TestFetchHistoryOfANewConversation(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	f.record(history.Conversation{TeamID: "T1", ChannelID: "C1", ThreadTS: "other"}, "LEAK", "", history.StatusAnswered)
	out := call(t, tool(t, tools.NewSet(f.deps(0), thisThread), "fetch_history"), map[string]any{"limit": 3})
	if out.IsError || !strings.Contains(out.Text, "no earlier questions") || strings.Contains(out.Text, "LEAK") {
		t.Errorf("new conversation: %s", out.Text)
	}
}
