package slackmsg

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Working is the placeholder posted at once and later replaced by the
// answer; it quotes the question briefly.
func Working(question string) Message {
	q := quote(question)
	if q == "" {
		return simple("Working on it…")
	}
	return Message{
		Text:   "Working on it… “" + q + "”",
		Blocks: []slack.Block{section("Working on it… :hourglass_flowing_sand:\n>" + q)},
	}
}

// SQL shows the SQL of the latest answered question of a thread in code
// blocks, under a line naming the question. Very long SQL is cut at a line
// break with a note saying how much is missing.
func SQL(sql, question string) Message {
	sql = strings.TrimSpace(sql)
	if sql == "" {
		return NoSQLYet()
	}
	title := "SQL of the latest answer:"
	if q := quote(question); q != "" {
		title = "SQL for “" + q + "”:"
	}
	code := codeSafe(escape(sql))
	for budget := 3 * (maxSectionRunes - 10); ; budget = budget * 2 / 3 {
		shown := cutLines(code, budget)
		blocks := []slack.Block{section(title)}
		for _, part := range split(shown, maxSectionRunes-10) {
			blocks = append(blocks, section("```\n"+part+"\n```"))
		}
		if budget <= 500 || blocksSize(blocks) <= maxBlocksJSON {
			return Message{Text: cut(title+"\n```\n"+shown, maxTextRunes-4) + "\n```", Blocks: blocks}
		}
	}
}

// codeSafe keeps SQL from closing the code block it is shown in.
func codeSafe(s string) string {
	return strings.ReplaceAll(s, "```", "`\u200b``")
}

// cutLines keeps the whole lines of s that fit in n runes and ends with a
// SQL comment saying how many lines are missing.
func cutLines(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	lines := strings.Split(s, "\n")
	n -= 40 // room for the note
	var b strings.Builder
	kept := 0
	for _, l := range lines {
		if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(l)+1 > n {
			break
		}
		b.WriteString(l + "\n")
		kept++
	}
	if kept == 0 { // one enormous line
		return cut(s, n) + "\n-- … cut here"
	}
	return fmt.Sprintf("%s-- … %d more lines not shown", b.String(), len(lines)-kept)
}

// NoSQLYet answers "show SQL" or "export csv" in a thread where no
// question has been answered yet.
func NoSQLYet() Message {
	return simple("There's no answered question in this thread yet, so there is no SQL to show or export. Ask me a question first.")
}

// Failure is the short, plain message that ends a question that failed.
// reason is a safe sentence for users, such as "the database took too
// long"; it is never an error's text, which may hold internals.
func Failure(reason string) Message {
	return simple(failureText(reason))
}

// failureText is Failure's sentence.
func failureText(reason string) string {
	reason = strings.TrimRight(strings.TrimSpace(oneLine(reason)), ".!")
	if reason == "" {
		return "Sorry, I couldn't answer that. Please try again in a moment, or rephrase the question."
	}
	text := "Sorry, I couldn't answer that: " + cut(escape(lowerFirst(reason)), 300) + "."
	if advises(reason) {
		return text // the reason says itself whether a retry helps
	}
	return text + " Please try again in a moment, or rephrase the question."
}

// advises reports whether a reason already says what to do, so that a
// failure a retry cannot fix is not followed by "please try again".
func advises(reason string) bool {
	r := strings.ToLower(reason)
	return strings.Contains(r, "try again") || strings.Contains(r, "retry") || strings.Contains(r, "administrator")
}

// lowerFirst lowercases a sentence's first letter, but not an acronym's.
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[0]) && unicode.IsLower(r[1]) {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

// Refusal answers a user or channel that is not on the allowlist.
func Refusal() Message {
	return simple("Sorry, I can't answer questions here: this channel or user is not on my allowlist. Ask the team that runs me to add it.")
}

// RoleRefusal tells an asker that what this channel's answers may show
// (data role role) is more than they may see, and where to ask instead.
func RoleRefusal(role string) Message {
	return simple("I can't answer you here: answers in this channel come from the data role " + role +
		", which your access does not include. Ask me in a direct message, where your own access applies.")
}

// Queued tells a user that their question waits because they already
// have earlier questions in progress.
func Queued(earlier int) Message {
	if earlier == 1 {
		return simple("You already have a question in progress; I'll start on this one as soon as it is answered.")
	}
	return simple("You already have " + strconv.Itoa(earlier) + " questions in progress; I'll start on this one when its turn comes.")
}

// ExportStarted confirms that a CSV export is on its way.
func ExportStarted() Message {
	return simple("Exporting the full result as CSV… the file will appear in this thread.")
}

// Exported accompanies an uploaded CSV file: how many rows it holds and,
// when truncated, that it stopped at the export limit.
func Exported(rows int64, truncated bool) Message {
	n := group(strconv.FormatInt(rows, 10))
	switch {
	case truncated:
		return simple("Here is the result as CSV: the first " + n + " rows. It has more and was cut at the export limit; filter or aggregate to get the rest.")
	case rows == 0:
		return simple("The query returned no rows; the CSV holds only the header row.")
	case rows == 1:
		return simple("Here is the result as CSV: 1 row.")
	}
	return simple("Here is the result as CSV: " + n + " rows.")
}
