package eval

import (
	"slices"
	"strconv"
	"strings"
)

// token is a word or punctuation mark of SQL text outside literals,
// quoted identifiers and comments, with its parenthesis depth.
type token struct {
	text  string // lower-cased
	depth int
}

// scanSQL splits PostgreSQL text into tokens. It is not a parser: it only
// needs to tell keywords from literal text and nested queries from the
// top-level one.
func scanSQL(sql string) []token {
	var toks []token
	depth := 0
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				return toks
			}
			i += end + 1
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			i = skipBlockComment(sql, i)
		case c == '\'':
			backslashes := i > 0 && (sql[i-1] == 'e' || sql[i-1] == 'E') && (i < 2 || !isWordByte(sql[i-2]))
			i = skipQuoted(sql, i, '\'', backslashes)
		case c == '"':
			start := i
			i = skipQuoted(sql, i, '"', false)
			toks = append(toks, token{text: sql[start:i], depth: depth})
		case c == '$':
			i = skipDollar(sql, i)
		case isWordByte(c):
			start := i
			for i < len(sql) && (isWordByte(sql[i]) || sql[i] == '$') {
				i++
			}
			toks = append(toks, token{text: strings.ToLower(sql[start:i]), depth: depth})
		case c == '(':
			toks = append(toks, token{text: "(", depth: depth})
			depth++
			i++
		case c == ')':
			depth = max(depth-1, 0)
			toks = append(toks, token{text: ")", depth: depth})
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		default:
			toks = append(toks, token{text: string(c), depth: depth})
			i++
		}
	}
	return toks
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func skipBlockComment(sql string, i int) int {
	nesting := 0
	for i < len(sql) {
		switch {
		case strings.HasPrefix(sql[i:], "/*"):
			nesting++
			i += 2
		case strings.HasPrefix(sql[i:], "*/"):
			nesting--
			i += 2
			if nesting == 0 {
				return i
			}
		default:
			i++
		}
	}
	return i
}

// skipQuoted returns the index after the literal that starts at i; a
// doubled quote is an escaped quote.
func skipQuoted(sql string, i int, quote byte, backslashes bool) int {
	for i++; i < len(sql); i++ {
		switch {
		case backslashes && sql[i] == '\\':
			i++
		case sql[i] == quote && i+1 < len(sql) && sql[i+1] == quote:
			i++
		case sql[i] == quote:
			return i + 1
		}
	}
	return i
}

// skipDollar skips a dollar-quoted string ($$…$$, $tag$…$tag$) or a
// parameter ($1).
func skipDollar(sql string, i int) int {
	j := i + 1
	for j < len(sql) && isWordByte(sql[j]) {
		j++
	}
	if j >= len(sql) || sql[j] != '$' {
		return j // a parameter such as $1
	}
	tag := sql[i : j+1]
	end := strings.Index(sql[j+1:], tag)
	if end < 0 {
		return len(sql)
	}
	return j + 1 + end + len(tag)
}

// orderedResult reports whether the statement's own result is sorted: an
// ORDER BY outside any parentheses (not one inside a subquery, a CTE, a
// window or an aggregate).
func orderedResult(sql string) bool {
	toks := scanSQL(sql)
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].depth == 0 && toks[i].text == "order" && toks[i+1].text == "by" {
			return true
		}
	}
	return false
}

// orderColumns maps the keys of the statement's top-level ORDER BY to the
// result's columns: a position (ORDER BY 2), or a column's name, bare or
// qualified (ORDER BY revenue DESC, t.name). It returns nil when any key is
// an expression it cannot map, so that every row's position counts.
func orderColumns(sql string, columns []string) []int {
	toks := scanSQL(sql)
	start := -1
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].depth == 0 && toks[i].text == "order" && toks[i+1].text == "by" {
			start = i + 2
		}
	}
	if start < 0 {
		return nil
	}
	var keys [][]token
	key := []token{}
	for _, t := range toks[start:] {
		if t.depth == 0 && (t.text == "limit" || t.text == "offset" || t.text == "fetch" || t.text == ";") {
			break
		}
		if t.depth == 0 && t.text == "," {
			keys, key = append(keys, key), []token{}
			continue
		}
		key = append(key, t)
	}
	keys = append(keys, key)
	var out []int
	for _, k := range keys {
		// Direction and NULLS placement do not change which rows tie.
		for len(k) > 0 && slices.Contains([]string{"asc", "desc", "nulls", "first", "last"}, k[len(k)-1].text) {
			k = k[:len(k)-1]
		}
		if len(k) == 3 && k[1].text == "." { // a qualified column: t.name
			k = k[2:]
		}
		if len(k) != 1 {
			return nil
		}
		j := columnOf(k[0].text, columns)
		if j < 0 {
			return nil
		}
		out = append(out, j)
	}
	return out
}

// columnOf finds a key among the result's columns: a 1-based position, a
// quoted name exactly, or an unquoted one (lower-cased by the scanner) as
// PostgreSQL folds it.
func columnOf(key string, columns []string) int {
	if n, err := strconv.Atoi(key); err == nil {
		if n >= 1 && n <= len(columns) {
			return n - 1
		}
		return -1
	}
	quoted := strings.HasPrefix(key, `"`)
	if quoted {
		key = strings.ReplaceAll(strings.Trim(key, `"`), `""`, `"`)
	}
	for j, c := range columns {
		if c == key || !quoted && strings.ToLower(c) == key {
			return j
		}
	}
	return -1
}

// writeWords are the commands that change data, schema, grants or
// settings.
var writeWords = []string{
	"insert", "update", "delete", "merge", "upsert", "drop", "alter", "truncate", "create", "grant",
	"revoke", "copy", "call", "do", "vacuum", "reindex", "cluster", "refresh", "lock", "comment", "set", "reset",
}

// attemptsWrite reports whether SQL tries to change anything: one of the
// write commands appears as a word outside literals, quoted identifiers
// and comments. Locking reads (FOR UPDATE) count too: an answer to a
// request for a change has no business locking rows.
func attemptsWrite(sql string) bool {
	for _, t := range scanSQL(sql) {
		if slices.Contains(writeWords, t.text) {
			return true
		}
	}
	return false
}
