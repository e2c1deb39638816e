package schema

import (
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ident spells an identifier as SQL needs it, as quote_ident does: bare
// when it is a plain lower-case name and not a keyword, double-quoted
// otherwise.
func ident(name string) string {
	if plainIdent(name) && !keywords[name] {
		return name
	}
	return pgx.Identifier{name}.Sanitize()
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

// literal spells a value as an SQL string literal, so the model can paste
// it into a WHERE clause and the value's end is never in doubt.
func literal(v string) string {
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
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
	case len(c.Values) > 0:
		return "one of " + literals(c.Values)
	case c.Min != "" || c.Max != "":
		return c.Min + " to " + c.Max
	}
	return ""
}
