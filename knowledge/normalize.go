package knowledge

import (
	"strings"
	"unicode"
)

// NormalizeQuestion is the form in which two questions are the same
// question: lower case, punctuation dropped, whitespace collapsed.
// "What was DAU by platform, last week?" and "what was dau by platform
// last week" are equal.
func NormalizeQuestion(q string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(q) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		// An apostrophe joins its word ("what's" stays one word).
		if r != '\'' && r != '’' {
			space = true
		}
	}
	return b.String()
}

// NormalizeSQL is the form in which two statements are the same
// statement: whitespace collapsed, lower case, trailing semicolons
// dropped.
func NormalizeSQL(sql string) string {
	sql = strings.TrimSpace(sql)
	for strings.HasSuffix(sql, ";") {
		sql = strings.TrimSpace(strings.TrimSuffix(sql, ";"))
	}
	return strings.ToLower(strings.Join(strings.Fields(sql), " "))
}

// oneLine is SQL on a single line, for the prompt.
func oneLine(sql string) string {
	sql = strings.TrimSpace(sql)
	for strings.HasSuffix(sql, ";") {
		sql = strings.TrimSpace(strings.TrimSuffix(sql, ";"))
	}
	return strings.Join(strings.Fields(sql), " ")
}
