package slackmsg

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// The model reads database text and may be prompt-injected, so nothing it
// writes reaches Slack as markup it did not earn: every rule below holds
// whatever the model's manners.
//
//   - &, < and > are escaped, so <@U…>, <#C…>, <!here> and <!subteam^…>
//     show as text and never ping anyone.
//   - A link survives only when its host is on the allowlist
//     (ALLOWED_LINK_HOSTS); any other link shows its label followed by
//     its address as code, which Slack never makes clickable, so a label
//     cannot disguise where it leads.
//   - A bare @word (@channel, @here, @everyone, @alice) gets a full-width
//     at sign, which Slack does not parse as a mention.
//   - Bidirectional overrides and invisible format characters are
//     removed, so text cannot reorder itself or hide words.

// LinkPolicy says which links in model text stay links.
type LinkPolicy struct {
	hosts map[string]bool
}

// NewLinkPolicy allows links to the given hosts (case-insensitive, exact
// host names; "example.com" does not allow "evil.example.com").
func NewLinkPolicy(hosts []string) LinkPolicy {
	p := LinkPolicy{hosts: map[string]bool{}}
	for _, h := range hosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			p.hosts[h] = true
		}
	}
	return p
}

// allows reports whether raw is an http(s) URL to an allowed host.
func (p LinkPolicy) allows(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return false
	}
	return p.hosts[strings.ToLower(u.Hostname())]
}

// Plain removes control, bidirectional and invisible format characters
// from text that Slack shows as it is (table cells, captions, file names
// and titles) and keeps line breaks and tabs.
func Plain(s string) string {
	if !strings.ContainsFunc(s, hidden) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if hidden(r) {
			return -1
		}
		return r
	}, s)
}

// hidden reports whether r is a character people cannot see or that
// changes the order of what they see: controls (but newline and tab),
// format characters such as U+202E and U+200B, and the Hangul fillers
// that render as blanks.
func hidden(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r == '\u115f' || r == '\u1160' || r == '\u3164' || r == '\uffa0':
		return true
	}
	return unicode.In(r, unicode.Cc, unicode.Cf)
}

var (
	// slackMarkup is Slack's angle-bracket syntax: links, mentions, dates.
	slackMarkup = regexp.MustCompile(`<([^<>\n]*)>`)
	// markdownLink is [label](url), a link in markdown_text.
	markdownLink = regexp.MustCompile(`\[([^\[\]\n]*)\]\(([^()\s]+)\)`)
	// bareURL is an address written out; Slack's markdown makes it a link.
	bareURL = regexp.MustCompile(`(?i)\b(?:https?://|mailto:|www\.)[^\s<>` + "`" + `|()]+`)
	// atWord is an @ that starts a word, as mentions and broadcasts do;
	// an e-mail address's @ follows a letter and is left alone.
	atWord = regexp.MustCompile(`(^|[^\p{L}\p{N}_.+-])@([\p{L}\p{N}_])`)
)

// linkMark opens and closes the stand-in for a kept link while the text
// around it is escaped. Private-use characters: Plain keeps them, so
// mrkdwn removes these two from the model's text first.
const linkMark = "\ue000"

// mrkdwn makes model-written Slack mrkdwn safe to post (see the rules at
// the top of this file). The result keeps *bold*, _italic_, `code` and
// allowed links.
func (p LinkPolicy) mrkdwn(s string) string {
	s = strings.ReplaceAll(Plain(s), linkMark, "")
	s = unescaper.Replace(s)

	var pairs []string // stand-in, link, …
	keep := func(link string) string {
		token := linkMark + strconv.Itoa(len(pairs)/2) + linkMark
		pairs = append(pairs, token, link)
		return token
	}
	// Slack's own links first: <url|label> and <url>.
	s = slackMarkup.ReplaceAllStringFunc(s, func(m string) string {
		target, label, _ := strings.Cut(m[1:len(m)-1], "|")
		if !looksLikeURL(target) {
			return m // a mention or a date: escaped below, shown as text
		}
		return p.link(target, label, keep)
	})
	s = markdownLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := markdownLink.FindStringSubmatch(m)
		if !looksLikeURL(sub[2]) {
			return m
		}
		return p.link(sub[2], sub[1], keep)
	})
	s = bareURL.ReplaceAllStringFunc(s, func(m string) string {
		return p.link(m, "", keep)
	})
	s = noMentions(escaper.Replace(s))
	if len(pairs) == 0 {
		return s
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// noMentions gives every @ that starts a word a full-width at sign.
func noMentions(s string) string {
	return atWord.ReplaceAllString(s, "$1＠$2")
}

// link renders one link found in model text: kept when its host is
// allowed, otherwise its label and its address as code.
func (p LinkPolicy) link(target, label string, keep func(string) string) string {
	label = strings.TrimSpace(label)
	if p.allows(target) && !strings.ContainsAny(target, "|<> \n") {
		if label == "" {
			return keep("<" + escaper.Replace(target) + ">")
		}
		return keep("<" + escaper.Replace(target) + "|" + noMentions(escaper.Replace(oneLine(label))) + ">")
	}
	code := keep("`" + escaper.Replace(strings.ReplaceAll(target, "`", "'")) + "`")
	if label == "" || label == target {
		return code
	}
	return oneLine(label) + " (" + code + ")"
}

// looksLikeURL reports whether s is written as an address.
func looksLikeURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") ||
		strings.HasPrefix(l, "mailto:") || strings.HasPrefix(l, "www.")
}

// markdown turns safe mrkdwn (the output of LinkPolicy.mrkdwn) into the
// markdown that chat.appendStream's markdown_text expects: *bold* becomes
// **bold**, ~strike~ becomes ~~strike~~, and kept <url|label> links become
// [label](url).
func markdown(mrkdwn string) string {
	s := slackLink.ReplaceAllStringFunc(mrkdwn, func(m string) string {
		sub := slackLink.FindStringSubmatch(m)
		if sub[2] == "" {
			return "<" + sub[1] + ">"
		}
		return "[" + sub[2] + "](" + sub[1] + ")"
	})
	s = mrkdwnBold.ReplaceAllString(s, "$1**$2**")
	return mrkdwnStrike.ReplaceAllString(s, "$1~~$2~~")
}

var (
	slackLink    = regexp.MustCompile(`<(https?://[^|<>\s]+)(?:\|([^<>]*))?>`)
	mrkdwnBold   = regexp.MustCompile(`(^|[^\w*])\*([^*\n]+)\*`)
	mrkdwnStrike = regexp.MustCompile(`(^|[^\w~])~([^~\n]+)~`)
)
