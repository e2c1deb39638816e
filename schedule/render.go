package schedule

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/slackmsg"
)

// deliveryMessage renders a delivery with the same rendering as an
// answer (table, footer, buttons), the question as its title, why an
// alert spoke, and a context line naming who scheduled it and when it
// runs next.
func deliveryMessage(r slackmsg.Renderer, s Schedule, d Delivery, res *readonly.Result, reason string, now time.Time) slackmsg.AnswerMessage {
	text := "*" + escape(oneLine(s.Question)) + "*"
	if v, ok := singleValue(res); ok {
		text += "\n*" + escape(v) + "*"
	}
	if reason != "" {
		text += "\n:rotating_light: " + escape(reason)
	}
	if d.Late {
		text += "\n_Late: this was due " + s.Cadence.When(d.Slot, now) + ", when the bot was not running._"
	}
	ans := &agent.Answer{Text: text, SQL: s.SQL, Result: res, Status: history.StatusAnswered}
	if res != nil {
		ans.Latency = res.Duration
	}
	msg := r.Answer(ans, d.HistoryID)
	line := slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, scheduledLine(s, now), false, false))
	// The line goes above the buttons, like the answer's own footer.
	at := len(msg.Blocks)
	if at > 0 && msg.Blocks[at-1].BlockType() == slack.MBTAction {
		at--
	}
	msg.Blocks = slices.Insert(msg.Blocks, at, slack.Block(line))
	return msg
}

// scheduledLine is "Scheduled by @user · next: Mon 09:00 Europe/Berlin".
func scheduledLine(s Schedule, now time.Time) string {
	line := "Scheduled by <@" + s.CreatorID + ">"
	if s.Paused {
		return line + " · paused"
	}
	return line + " · next: " + s.Cadence.When(s.NextRunAt, now)
}

// singleValue is the text of a result that is one value, which the
// answer's rendering shows in the text rather than as a table.
func singleValue(res *readonly.Result) (string, bool) {
	if res == nil || len(res.Rows) != 1 || len(res.Columns) != 1 {
		return "", false
	}
	switch v := res.Rows[0][0].(type) {
	case nil:
		return "no value", true
	case int64:
		return group(strconv.FormatInt(v, 10)), true
	case float64:
		return number(v), true
	case time.Time:
		return v.Format(time.DateOnly), true
	default:
		return short(fmt.Sprint(v), 200), true
	}
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes a person's text safe in mrkdwn: no links, mentions or
// broadcasts. Text Slack already escaped is unescaped first.
func escape(s string) string {
	return escaper.Replace(strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// short cuts s to n runes with "…".
func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
