package slackmsg

import (
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// ActionFeedback is the action id of the 👍 / 👎 buttons under an answer.
const ActionFeedback = "answer_feedback"

// The two outcomes of a feedback click, as recorded in query_history.
const (
	FeedbackUp   = "up"
	FeedbackDown = "down"
)

// feedback is the context_actions block with the feedback buttons; each
// button's value is its outcome and the question's history id.
func feedback(historyID int64) *slack.ContextActionsBlock {
	id := strconv.FormatInt(historyID, 10)
	up := slack.NewFeedbackButton(slack.NewTextBlockObject(slack.PlainTextType, "👍", true, false), FeedbackUp+":"+id).
		WithAccessibilityLabel("This answer was helpful")
	down := slack.NewFeedbackButton(slack.NewTextBlockObject(slack.PlainTextType, "👎", true, false), FeedbackDown+":"+id).
		WithAccessibilityLabel("This answer was not helpful")
	return slack.NewContextActionsBlock("answer_feedback", slack.NewFeedbackButtonsBlockElement(ActionFeedback, up, down))
}

// ParseFeedback reads a feedback button's value: the outcome and the
// question's history id. ok is false for anything else.
func ParseFeedback(value string) (outcome string, historyID int64, ok bool) {
	outcome, idText, found := strings.Cut(value, ":")
	if !found || (outcome != FeedbackUp && outcome != FeedbackDown) {
		return "", 0, false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return outcome, id, true
}

// FeedbackThanks answers a 👎, only to the person who clicked.
func FeedbackThanks() Message {
	return simple("Thanks — what was wrong?")
}
