package knowledge

import (
	"fmt"
	"strings"
	"sync"

	"github.com/tiktoken-go/tokenizer"
)

// DefaultBudget is the most tokens retrieved knowledge adds to a prompt.
const DefaultBudget = 600

// Prompt is the retrieved knowledge as it enters the system prompt.
type Prompt struct {
	// Text is the prompt part; empty when nothing was retrieved.
	Text string
	// Verified and Terms are the entries that fit the budget.
	Verified []Match
	Terms    []Term
	// Tokens is the part's size in o200k_base tokens.
	Tokens int
}

const (
	promptHeader = "## Team knowledge\nChecked by people on this team; it wins over your own assumptions."
	termsHeader  = "Business terms the question uses:"
	queryHeader  = "Verified queries similar to this question (when one answers the question as asked, run its SQL unchanged; otherwise adapt it):"
)

// Render places the retrieval into a prompt part of at most budget
// tokens: the terms the question names first (they are short and exact),
// then the verified queries, best first. An entry that does not fit is
// left out.
func (r Retrieval) Render(budget int) Prompt {
	var p Prompt
	if len(r.Verified) == 0 && len(r.Terms) == 0 || budget <= 0 {
		return p
	}
	var b strings.Builder
	used := tokens(promptHeader) + 2
	b.WriteString(promptHeader)
	add := func(header, line string, sectionOpen *bool) bool {
		cost := tokens(line) + 1
		if !*sectionOpen {
			cost += tokens(header) + 2
		}
		if used+cost > budget {
			return false
		}
		if !*sectionOpen {
			b.WriteString("\n\n" + header)
			*sectionOpen = true
		}
		b.WriteString("\n" + line)
		used += cost
		return true
	}
	var termsOpen, queriesOpen bool
	for _, t := range r.Terms {
		if add(termsHeader, termLine(t), &termsOpen) {
			p.Terms = append(p.Terms, t)
		}
	}
	for _, m := range r.Verified {
		if add(queryHeader, queryLine(m.Verified), &queriesOpen) {
			p.Verified = append(p.Verified, m)
		}
	}
	if len(p.Terms) == 0 && len(p.Verified) == 0 {
		return Prompt{}
	}
	p.Text = b.String()
	p.Tokens = tokens(p.Text)
	return p
}

func termLine(t Term) string {
	var b strings.Builder
	b.WriteString("- " + t.Term)
	if len(t.Synonyms) > 0 {
		b.WriteString(" (also: " + strings.Join(t.Synonyms, ", ") + ")")
	}
	b.WriteString(": " + strings.TrimSpace(t.Definition))
	if t.SQL != "" {
		b.WriteString(" SQL: `" + oneLine(t.SQL) + "`")
	}
	return b.String()
}

func queryLine(v Verified) string {
	line := fmt.Sprintf("- [%s] %s", v.ID, v.Question)
	if v.Description != "" {
		line += " (" + v.Description + ")"
	}
	return line + "\n  SQL: " + oneLine(v.SQL)
}

var codec = sync.OnceValues(func() (tokenizer.Codec, error) { return tokenizer.Get(tokenizer.O200kBase) })

// tokens counts o200k_base tokens (the GPT-4o/4.1 family), or estimates
// four characters a token if the codec is unavailable.
func tokens(s string) int {
	if c, err := codec(); err == nil {
		if n, err := c.Count(s); err == nil {
			return n
		}
	}
	return (len(s) + 3) / 4
}
