package telemetry

import (
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"
)

// secretPattern matches credentials this service handles: OpenAI keys,
// Logfire tokens, Slack tokens and bearer credentials. Error messages from
// clients sometimes echo them (OpenAI's 401 quotes part of the key).
var secretPattern = regexp.MustCompile(`sk-[A-Za-z0-9_\-*]{8,}|pylf_v[0-9]+_[a-z]+_[A-Za-z0-9]+|xox[a-z]-[A-Za-z0-9\-]+|xapp-[A-Za-z0-9\-]+|(?i:bearer)\s+[A-Za-z0-9._~+/\-]{16,}=*`)

// maxMessage caps messages and texts put on spans.
const maxMessage = 2048

// secretHints are substrings every secretPattern match contains, to skip
// the regular expression for the usual string.
var secretHints = []string{"sk-", "pylf_", "xox", "xapp-", "earer", "EARER"}

// scrub replaces anything shaped like a credential with [REDACTED].
func scrub(s string) string {
	for _, hint := range secretHints {
		if strings.Contains(s, hint) {
			return secretPattern.ReplaceAllString(s, "[REDACTED]")
		}
	}
	return s
}

// redact scrubs s and caps its length, for span attributes and statuses.
func redact(s string) string {
	return truncate(scrub(s), maxMessage)
}

// redactError returns err itself when its message holds nothing to hide,
// so the recorded exception keeps its real type; otherwise a plain error
// with the scrubbed message.
func redactError(err error) error {
	msg := err.Error()
	clean := redact(msg)
	if clean == msg {
		return err
	}
	return errors.New(clean)
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
