package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/analytics-bot/analytics-bot/slackmsg"
)

// Text that reaches the terminal comes from the database and the model,
// either of which may carry terminal escape sequences (ESC [ … to move the
// cursor, retitle the window or hide text) or bidirectional and invisible
// characters that reorder or hide what a person reads. The terminal gets
// none of them: plain output drops them, JSON output writes them as \u
// escapes, so a JSON reader still gets the exact data.

// termSafe drops control characters (but newline and tab), bidirectional
// overrides and invisible format characters: the same rule as text posted
// to Slack (slackmsg.Plain).
func termSafe(s string) string { return slackmsg.Plain(s) }

// hiddenRune reports whether termSafe would drop r.
func hiddenRune(r rune) bool {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	return slackmsg.Plain(string(buf[:n])) == ""
}

// safeWriter buffers what a command prints and writes it out without
// anything termSafe drops, when flushed.
type safeWriter struct {
	buf bytes.Buffer
	out io.Writer
}

func (w *safeWriter) Write(p []byte) (int, error) { return w.buf.Write(p) }

// Flush writes the buffered text, made safe.
func (w *safeWriter) Flush() error {
	_, err := io.WriteString(w.out, termSafe(w.buf.String()))
	w.buf.Reset()
	return err
}

// escapeHidden rewrites encoded JSON so that every character termSafe
// would drop appears as a \u escape. encoding/json already escapes C0
// controls; DEL, C1 controls, bidirectional and format characters it
// writes raw. Outside strings JSON holds only ASCII punctuation, spaces
// and newlines, which are left alone.
func escapeHidden(js []byte) []byte {
	if !bytes.ContainsFunc(js, func(r rune) bool { return r != '\n' && r != '\t' && hiddenRune(r) }) {
		return js
	}
	var b strings.Builder
	for _, r := range string(js) {
		if r == '\n' || r == '\t' || !hiddenRune(r) {
			b.WriteRune(r)
			continue
		}
		if r > 0xFFFF {
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return []byte(b.String())
}
