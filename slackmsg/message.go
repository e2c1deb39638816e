package slackmsg

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Message is one message the bot posts: blocks for the Slack client and
// a fallback text for notifications and clients without blocks.
type Message struct {
	// Text is the fallback text; it is never empty.
	Text string
	// Blocks is the Block Kit layout.
	Blocks []slack.Block
}

// Limits that keep every message well inside what Slack accepts.
const (
	// maxBlocksJSON bounds the JSON of a message's blocks; Slack's own
	// limits are near 12,000 characters for several block kinds.
	maxBlocksJSON = 11_000
	// maxTextRunes is Slack's limit on one text object and the length we
	// give the fallback text.
	maxTextRunes = 3_000
	// maxSectionRunes keeps a margin below maxTextRunes for one section.
	maxSectionRunes = 2_900
)

// blocksSize is the length of the blocks' JSON, as Slack will receive it.
func blocksSize(blocks []slack.Block) int {
	b, err := json.Marshal(slack.Blocks{BlockSet: blocks})
	if err != nil {
		// Our own blocks always marshal; treat a failure as "too big" so
		// that callers shrink rather than post something broken.
		return maxBlocksJSON + 1
	}
	return len(b)
}

// section is a mrkdwn section block.
func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
}

// verbatimSection is a mrkdwn section that Slack shows as written: no
// automatic links, channel names or mentions.
func verbatimSection(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, true), nil, nil)
}

// contextLine is a context block holding one mrkdwn line.
func contextLine(text string) *slack.ContextBlock {
	return slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, text, false, false))
}

// simple is a message made of one section whose text is also the fallback.
func simple(text string) Message {
	return Message{Text: cut(text, maxTextRunes), Blocks: []slack.Block{section(cut(text, maxSectionRunes))}}
}

// cut shortens s to at most n runes, ending with "…" when it cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:n-1]), unicode.IsSpace) + "…"
}

// oneLine folds runs of white space, newlines included, into one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

var (
	unescaper = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")
	escaper   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
)

// escape makes plain text safe inside mrkdwn: Slack reads &, < and > as
// control characters (links, @channel, user mentions). Text that Slack
// already escaped (a question from an event) is unescaped first, so that
// escaping twice shows the same text.
func escape(s string) string {
	return escaper.Replace(unescaper.Replace(Plain(s)))
}

// quote renders a user's question on one line, escaped and short.
func quote(question string) string {
	return cut(escape(oneLine(question)), 150)
}

// split cuts s into parts of at most n runes, at a line break or else a
// space in the second half of a part; the break itself is dropped.
func split(s string, n int) []string {
	var parts []string
	r := []rune(s)
	for len(r) > n {
		i, skip := n, 0
		if j := lastIndex(r[:n+1], '\n'); j >= n/2 {
			i, skip = j, 1
		} else if j := lastIndex(r[:n+1], ' '); j >= n/2 {
			i, skip = j, 1
		}
		parts = append(parts, string(r[:i]))
		r = r[i+skip:]
	}
	return append(parts, string(r))
}

func lastIndex(r []rune, c rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == c {
			return i
		}
	}
	return -1
}
