package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Action ids of the list's buttons and of the answers' "Schedule…"
// button; their value is the schedule's (or the answer's) id.
const (
	ActionOpen   = "schedule_open"
	ActionPause  = "schedule_pause"
	ActionResume = "schedule_resume"
	ActionDelete = "schedule_delete"
)

// maxListed keeps the list within Slack's 50 blocks a message.
const maxListed = 23

// listMessage renders a channel's schedules for one viewer: question,
// cadence, next run, last result and creator, with Pause/Resume and
// Delete for the schedules the viewer may change.
func (s *Service) listMessage(channelID, viewer string, list []Schedule, now time.Time) *slack.Msg {
	msg := &slack.Msg{ResponseType: slack.ResponseTypeEphemeral}
	if len(list) == 0 {
		msg.Text = "No scheduled questions in this channel yet. Use *Schedule…* under an answer, or `/analytics schedule`."
		msg.Blocks.BlockSet = []slack.Block{slack.NewSectionBlock(mrkdwn(msg.Text), nil, nil)}
		return msg
	}
	msg.Text = fmt.Sprintf("Scheduled questions in <#%s> (%d)", channelID, len(list))
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn("*"+msg.Text+"*"), nil, nil)}
	for i, sch := range list {
		if i == maxListed {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf("…and %d more.", len(list)-maxListed))))
			break
		}
		blocks = append(blocks, slack.NewDividerBlock(), slack.NewSectionBlock(mrkdwn(listEntry(sch, now)), nil, nil))
		if s.mayChange(sch, viewer) {
			blocks = append(blocks, listButtons(sch))
		}
	}
	msg.Blocks.BlockSet = blocks
	return msg
}

// listEntry is one schedule in the list.
func listEntry(sch Schedule, now time.Time) string {
	var b strings.Builder
	b.WriteString("*" + escape(short(oneLine(sch.Question), 200)) + "*\n")
	b.WriteString(capitalize(sch.Cadence.String()))
	if sch.Condition.Kind != Always {
		b.WriteString(", " + sch.Condition.String())
	}
	b.WriteString("\n")
	if sch.Paused {
		b.WriteString(":double_vertical_bar: Paused")
		if sch.PausedReason != "" {
			b.WriteString(" (" + escape(sch.PausedReason) + ")")
		}
	} else {
		b.WriteString("Next: " + sch.Cadence.When(sch.NextRunAt, now))
	}
	b.WriteString(" · Last: " + lastResult(sch, now))
	b.WriteString(" · by <@" + sch.CreatorID + ">")
	return b.String()
}

// lastResult says how the latest delivery went.
func lastResult(sch Schedule, now time.Time) string {
	d := sch.Last
	if d == nil {
		return "not run yet"
	}
	when := sch.Cadence.When(d.Slot, now)
	switch d.Status {
	case StatusPosted:
		return "posted " + rows(d.RowCount) + ", " + when
	case StatusWithheld:
		return "checked, nothing to report, " + when
	case StatusFailed:
		return "failed, " + when
	}
	return string(d.Status) + ", " + when
}

func rows(n int) string {
	if n == 1 {
		return "1 row"
	}
	return strconv.Itoa(n) + " rows"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// listButtons are Pause (or Resume) and Delete, which asks first.
func listButtons(sch Schedule) *slack.ActionBlock {
	id := strconv.FormatInt(sch.ID, 10)
	toggle := slack.NewButtonBlockElement(ActionPause, id, plain("Pause"))
	if sch.Paused {
		toggle = slack.NewButtonBlockElement(ActionResume, id, plain("Resume"))
		toggle.Style = slack.StylePrimary
	}
	del := slack.NewButtonBlockElement(ActionDelete, id, plain("Delete"))
	del.Style = slack.StyleDanger
	del.Confirm = slack.NewConfirmationBlockObject(plain("Delete this schedule?"),
		plain("“"+short(oneLine(sch.Question), 200)+"” will no longer be posted."), plain("Delete"), plain("Keep it"))
	del.Confirm.Style = slack.StyleDanger
	return slack.NewActionBlock("schedule_"+id, toggle, del)
}
