// Package schedule turns answers into reports that arrive by themselves
// and alerts that speak only when something changed.
//
// A schedule keeps an answer's SQL, frozen: a delivery runs it as the
// read-only role with every limit of a normal question and no model call,
// and posts the result in the channel with the answer's rendering. The
// Planner finds the slots that are due and queues one River job per
// schedule and slot (unique by both), so several instances of the bot
// never post a slot twice; a slot missed while every instance was down is
// delivered once, marked late. The Slack side (the modal, the list and
// its buttons) is in slack.go and modal.go.
package schedule
