package slackmsg

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
)

// Action ids of the curators' buttons: Verify under an answer, Approve and
// Reject on the App Home's proposals.
const (
	ActionVerify  = "verify"
	ActionApprove = "knowledge_approve"
	ActionReject  = "knowledge_reject"
)

// verifiedLine is the context line of an answer whose SQL is a verified
// query.
func verifiedLine(v *agent.VerifiedRef) *slack.ContextBlock {
	return contextLine("✓ Verified query: " + cut(escape(oneLine(v.Label)), 200))
}

// verifyButton offers curators to propose the answer as a verified query.
func verifyButton(historyID int64) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(ActionVerify, strconv.FormatInt(historyID, 10),
		slack.NewTextBlockObject(slack.PlainTextType, "Verify", false, false))
}

// NotACurator answers a Verify, Approve or Reject click by someone who is
// not a curator, only to them.
func NotACurator() Message {
	return simple("Only the team's knowledge curators can verify answers. If this answer is right and worth reusing, ask one of them to press *Verify*; if it is wrong, use 👎.")
}

// Proposed tells the curator that the answer waits for review.
func Proposed(id string) Message {
	return simple(fmt.Sprintf("Proposed as verified query `%s`. A curator approves or rejects it in the bot's *Home* tab; until then it is not used.", codeSafe(id)))
}

// NothingToVerify answers a Verify on an answer that has no SQL.
func NothingToVerify() Message {
	return simple("That answer has no query behind it, so there is nothing to verify.")
}

// Proposal is a pending verified query as the App Home lists it.
type Proposal struct {
	ID, Question, SQL, ProposedBy string
}

// DownVote is a recent answer someone marked 👎.
type DownVote struct {
	Question, SQL, By string
	HistoryID         int64
}

// Home limits: Slack allows 100 blocks in a view.
const (
	homeMaxProposals = 15
	homeMaxDownVotes = 10
	homeSQLRunes     = 600
)

// Home is the App Home tab: for a curator, the pending proposals with
// Approve and Reject and the latest 👎 answers to review; for anyone else
// a short explanation.
func Home(curator bool, proposals []Proposal, down []DownVote) slack.HomeTabViewRequest {
	blocks := []slack.Block{section("*Team knowledge*: verified queries are questions whose SQL a person has checked. They answer matching questions instantly and guide the model on similar ones.")}
	if !curator {
		blocks = append(blocks, contextLine("Only the team's curators review proposals. To suggest one, ask a curator to press *Verify* under a good answer."))
		return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
	}
	blocks = append(blocks, section(fmt.Sprintf("*Proposals waiting for review* (%d)", len(proposals))))
	if len(proposals) == 0 {
		blocks = append(blocks, contextLine("Nothing to review. Press *Verify* under a good answer to propose it."))
	}
	for i, p := range proposals {
		if i == homeMaxProposals {
			blocks = append(blocks, contextLine(fmt.Sprintf("and %d more", len(proposals)-i)))
			break
		}
		blocks = append(blocks,
			section(fmt.Sprintf("*%s*\n```%s```", quote(p.Question), codeSafe(cut(strings.TrimSpace(p.SQL), homeSQLRunes)))),
			contextLine(fmt.Sprintf("`%s` · proposed by <@%s>", codeSafe(p.ID), escape(p.ProposedBy))),
			slack.NewActionBlock("review:"+cut(p.ID, 200),
				reviewButton(ActionApprove, "Approve", p.ID, slack.StylePrimary),
				reviewButton(ActionReject, "Reject", p.ID, slack.StyleDanger)))
	}
	blocks = append(blocks, section("*Recent 👎 answers*"))
	if len(down) == 0 {
		blocks = append(blocks, contextLine("No answer was marked 👎 lately."))
	}
	for i, d := range down {
		if i == homeMaxDownVotes {
			break
		}
		text := fmt.Sprintf("*%s*", quote(d.Question))
		if d.SQL != "" {
			text += fmt.Sprintf("\n```%s```", codeSafe(cut(strings.TrimSpace(d.SQL), homeSQLRunes)))
		}
		blocks = append(blocks, section(text), contextLine(fmt.Sprintf("👎 by <@%s> · question %d · a 👎 never teaches the bot by itself", escape(d.By), d.HistoryID)))
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

func reviewButton(actionID, label, id string, style slack.Style) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(actionID, id, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
	b.Style = style
	return b
}
