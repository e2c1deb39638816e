package schema

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length caps, in characters, for text taken from the database.
const (
	maxCommentLen = 400
	// maxValueLen is the longest sample value listed; longer ones are
	// left out, never cut.
	maxValueLen = 60
)

// clean turns text read from the database into one line of at most max
// characters: control and format characters (newlines, tabs, bidi
// overrides, zero-width joiners) become spaces, runs of spaces collapse,
// < and > become ‹ and › (as in tool results, so no text can open or
// close the data markers), and a cut is marked with "…". It is what stops
// a planted comment from opening a line of its own in the prompt.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		if unsafeRune(r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		switch r {
		case '<':
			r = '‹'
		case '>':
			r = '›'
		}
		b.WriteRune(r)
	}
	return truncate(b.String(), max)
}

// unsafeRune reports whether r could change how a line reads or where it
// ends: control and format characters and the Unicode line separators.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// truncate cuts s to at most max characters, at a word boundary when one
// is close, and marks the cut with "…".
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)[:max-1]
	cut := len(runes)
	for i := cut - 1; i > cut*3/4; i-- {
		if runes[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(runes[:cut]), " ,;:.") + "…"
}

// printableName reports whether an identifier can be shown as is: names
// with control characters cannot be put on one line without changing
// them, so such tables and columns are left out of the catalog.
func printableName(name string) bool {
	if name == "" || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if unsafeRune(r) {
			return false
		}
	}
	return true
}
