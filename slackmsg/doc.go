// Package slackmsg renders every message the bot posts in Slack: the
// answer with its result table, footer and buttons, the "working on it"
// placeholder, the SQL of an answer, confirmations, refusals and failures.
//
// Each Message carries Block Kit blocks and a plain fallback text, and is
// kept well under Slack's size limits: a result that does not fit is cut
// (fewer rows, then shorter cells) and the footer says so and points to
// "export csv". Text that comes from users, callers or the database is
// escaped so that it can neither break the layout nor mention @channel.
package slackmsg
