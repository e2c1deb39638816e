package schema

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ident spells an identifier as SQL needs it, as quote_ident does: bare
// when it is a plain lower-case name and not a keyword, double-quoted
// otherwise. A name with < or > is spelled with Unicode escapes
// (U&"\003C…"), so that it means the same to PostgreSQL but cannot close
// the data markers around the schema.
func ident(name string) string {
	if plainIdent(name) && !keywords[name] {
		return name
	}
	if !strings.ContainsAny(name, "<>") {
		return pgx.Identifier{name}.Sanitize()
	}
	var b strings.Builder
	b.WriteString(`U&"`)
	for _, r := range name {
		switch r {
		case '<', '>', '\\':
			fmt.Fprintf(&b, `\%04X`, r)
		case '"':
			b.WriteString(`""`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func plainIdent(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r == '_':
		case i > 0 && (r >= '0' && r <= '9' || r == '$'):
		default:
			return false
		}
	}
	return true
}

// literal spells a value as an SQL string literal that equals it exactly,
// so the model can paste it into a WHERE clause and the value's end is
// never in doubt. A value with characters that could break the line or
// the data markers (control and format characters, <, >) is written as
// an escape string, E'…', with those characters escaped.
func literal(v string) string {
	if !needsEscapes(v) {
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	var b strings.Builder
	b.WriteString("E'")
	for _, r := range v {
		switch {
		case r == '\'':
			b.WriteString(`\'`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '<', r == '>', unsafeRune(r):
			if r <= 0xFFFF {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				fmt.Fprintf(&b, `\U%08X`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func needsEscapes(v string) bool {
	return strings.ContainsFunc(v, func(r rune) bool { return r == '<' || r == '>' || unsafeRune(r) })
}

func literals(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = literal(v)
	}
	return strings.Join(quoted, ", ")
}

// approxRows renders a row estimate briefly: exact below ten thousand,
// else three significant figures with a k or M suffix.
func approxRows(n int64) string {
	if n < 0 {
		return "unknown number of"
	}
	if n < 10_000 {
		return "~" + strconv.FormatInt(n, 10)
	}
	v, units := float64(n), []string{"", "k", "M", "B", "T"}
	u := 0
	for v >= 999.5 && u < len(units)-1 {
		v /= 1000
		u++
	}
	prec := 0
	switch {
	case v < 10:
		prec = 2
	case v < 100:
		prec = 1
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return "~" + s + units[u]
}

// valueNote is the short note shown after a column: its values or its
// range.
func (c *Column) valueNote() string {
	switch {
	case len(c.Values) > 0 && c.LongValues > 0:
		return fmt.Sprintf("values include %s and %d longer", literals(c.Values), c.LongValues)
	case len(c.Values) > 0:
		return "one of " + literals(c.Values)
	case c.Min != "" || c.Max != "":
		return c.Min + " to " + c.Max
	}
	return ""
}
