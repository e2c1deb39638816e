package slackmsg

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func TestRepliesGolden(t *testing.T) {
	t.Parallel()
	longSQL := strings.Repeat("SELECT day, count(*) AS n FROM events WHERE kind <> 'x' GROUP BY 1\nUNION ALL\n", 60)
	cases := map[string]Message{
		"working":            Working("What was  revenue\nlast week by <platform> & country?"),
		"sql":                SQL(threeRows().SQL, "revenue by platform"),
		"sql_long":           SQL(longSQL, "daily events"),
		"no_sql_yet":         NoSQLYet(),
		"failure":            Failure("The database took too long to answer."),
		"refusal":            Refusal(),
		"export_started":     ExportStarted(),
		"exported":           Exported(12345, false),
		"exported_truncated": Exported(1_000_000, true),
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkGolden(t, name, m)
		})
	}
}

func TestWorkingQuotesTheQuestionBriefly(t *testing.T) {
	t.Parallel()
	m := Working(strings.Repeat("how many orders ", 50))
	if !strings.HasPrefix(m.Text, "Working on it…") || len([]rune(m.Text)) > 200 {
		t.Errorf("text = %q, want a short placeholder", m.Text)
	}
	if strings.Contains(Working("ping <!channel> now").Text, "<!") {
		t.Error("the quoted question can ping the channel")
	}
}

func TestSQLIsInACodeBlockAndEscaped(t *testing.T) {
	t.Parallel()
	m := SQL("SELECT 1 WHERE a < b AND c <> '```'", "q")
	code := m.Blocks[1].(*slack.SectionBlock).Text.Text
	if !strings.HasPrefix(code, "```\n") || !strings.HasSuffix(code, "\n```") {
		t.Errorf("SQL is not in a code block: %q", code)
	}
	if strings.Count(code, "```") != 2 {
		t.Errorf("the SQL closes its code block early: %q", code)
	}
	if !strings.Contains(code, "a &lt; b") {
		t.Errorf("< is not escaped: %q", code)
	}
}

func TestLongSQLIsCutAtALineWithANote(t *testing.T) {
	t.Parallel()
	m := SQL(strings.Repeat("SELECT 1\nUNION ALL\n", 2000)+"SELECT 2", "q")
	last := m.Blocks[len(m.Blocks)-1].(*slack.SectionBlock).Text.Text
	if !strings.Contains(last, "more lines not shown") {
		t.Errorf("last block does not say the SQL was cut: %q", last[max(0, len(last)-200):])
	}
}

func TestFailureIsPlain(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"The database took too long.": "Sorry, I couldn't answer that: the database took too long. Please try again in a moment, or rephrase the question.",
		"SQL kept failing":            "Sorry, I couldn't answer that: SQL kept failing. Please try again in a moment, or rephrase the question.",
		"":                            "Sorry, I couldn't answer that. Please try again in a moment, or rephrase the question.",
		"the language model rejected the bot's API key; an administrator needs to fix the bot's settings, so retrying will not help": "Sorry, I couldn't answer that: the language model rejected the bot's API key; an administrator needs to fix the bot's settings, so retrying will not help.",
		"the language model is busy or failing; please try again in a minute":                                                        "Sorry, I couldn't answer that: the language model is busy or failing; please try again in a minute.",
	}
	for reason, want := range cases {
		if got := Failure(reason).Text; got != want {
			t.Errorf("Failure(%q) = %q, want %q", reason, got, want)
		}
	}
}
