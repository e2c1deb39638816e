package slackmsg

import (
	"cmp"
	"slices"
	"strings"

	"github.com/analytics-bot/analytics-bot/schema"
)

// Prompt is a question suggested when someone opens an assistant thread.
type Prompt struct {
	// Title is the button's short label; Message is the question asked
	// when it is clicked.
	Title, Message string
}

// maxPrompts is Slack's limit on suggested prompts.
const maxPrompts = 4

// SuggestedPrompts draws up to four questions from the data the bot can
// read: a daily trend for tables with a date and a number, a ranking for
// tables with a category and a number, else what a table holds. The
// largest tables come first; the choice is deterministic.
func SuggestedPrompts(cat *schema.Catalog) []Prompt {
	if cat == nil {
		return nil
	}
	tables := slices.Clone(cat.Tables)
	slices.SortStableFunc(tables, func(a, b schema.Table) int {
		return cmp.Or(cmp.Compare(b.RowEstimate, a.RowEstimate), strings.Compare(a.Name, b.Name))
	})
	var out []Prompt
	for _, t := range tables {
		if len(out) == maxPrompts {
			break
		}
		if p, ok := promptFor(t); ok {
			out = append(out, p)
		}
	}
	return out
}

func promptFor(t schema.Table) (Prompt, bool) {
	name := readable(t.Name)
	if name == "" {
		return Prompt{}, false
	}
	var date, number, category string
	for _, c := range t.Columns {
		typ := strings.ToLower(c.Type)
		switch {
		case date == "" && (typ == "date" || strings.HasPrefix(typ, "timestamp")):
			date = c.Name
		case number == "" && isNumberType(typ) && !isPlainName(c.Name):
			number = c.Name
		case category == "" && (typ == "text" || strings.HasPrefix(typ, "character varying")) && len(c.Values) > 0:
			category = c.Name
		}
	}
	switch {
	case date != "" && number != "":
		return Prompt{
			Title:   cut("Daily "+readable(number), 40),
			Message: cut("What was the daily total of "+readable(number)+" in "+name+" over the last 30 days?", 200),
		}, true
	case category != "" && number != "":
		return Prompt{
			Title:   cut(readable(number)+" by "+readable(category), 40),
			Message: cut("Which "+readable(category)+" has the highest total "+readable(number)+" in "+name+"?", 200),
		}, true
	}
	return Prompt{
		Title:   cut("What is in "+name+"?", 40),
		Message: cut("What does the "+name+" table hold? Show a few recent rows.", 200),
	}, true
}

// readable is a database name as words: "daily_active_users" reads
// "daily active users"; hidden characters and markup are removed.
func readable(name string) string {
	return oneLine(strings.ReplaceAll(Plain(name), "_", " "))
}

func isNumberType(typ string) bool {
	for _, prefix := range []string{"int", "smallint", "bigint", "numeric", "decimal", "real", "double", "float"} {
		if strings.HasPrefix(typ, prefix) {
			return true
		}
	}
	return false
}

// ThreadTitle is an assistant thread's title: its first question, short.
func ThreadTitle(question string) string {
	t := cut(oneLine(Plain(question)), 60)
	if t == "" {
		return "A question about the data"
	}
	return t
}
