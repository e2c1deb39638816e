package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/fake"
)

// hostileText carries what must never reach a terminal raw: an escape
// sequence that retitles the window, one that clears the screen, a C1
// control, a right-to-left override, a zero-width space and DEL.
const hostileText = "total\x1b]0;pwned\x07 \x1b[2Jclear \u009bC1 \u202eevil\u202c zero\u200bwidth del\x7f"

var hiddenInOutput = []string{"\x1b", "\x07", "\u009b", "\u202e", "\u202c", "\u200b", "\x7f"}

func TestCLIAskPrintsNoEscapesFromDataOrModel(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	sql := `SELECT E'red\x1b[31m' AS "col` + "\u202e" + `umn", 'a' || chr(8238) || 'b' || chr(155) || 'c' AS v`
	b.scriptAnswer(sql, hostileText)
	r := runCLI(t, b.env, "ask", "show me something")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, h := range hiddenInOutput {
		if strings.Contains(r.stdout, h) || strings.Contains(r.stderr, h) {
			t.Errorf("ask printed %q:\n%q", h, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "evil") || !strings.Contains(r.stdout, "red[31m") {
		t.Errorf("the visible text was lost:\n%s", r.stdout)
	}

	b.scriptAnswer(sql, hostileText)
	r = runCLI(t, b.env, "ask", "show me something", "--json")
	if r.code != 0 {
		t.Fatalf("--json: exit %d: %s", r.code, r.stderr)
	}
	for _, h := range hiddenInOutput {
		if strings.Contains(r.stdout, h) {
			t.Errorf("ask --json printed %q raw", h)
		}
	}
	var got askJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Answer != hostileText {
		t.Errorf("--json changed the answer's data: %q, want %q", got.Answer, hostileText)
	}
	if len(got.Rows) != 1 || got.Rows[0][1] != "a\u202eb\u009bc" {
		t.Errorf("--json changed a cell: %q", got.Rows)
	}
}

func TestCLIErrorLineCarriesNoEscapes(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	b.model.Handle(func(fake.ChatRequest) fake.Response {
		return fake.Response{Status: http.StatusUnauthorized, ErrorMessage: "bad key" + hostileText}
	})
	r := runCLI(t, b.env, "ask", "what was DAU yesterday?")
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	for _, h := range hiddenInOutput {
		if strings.Contains(r.stderr, h) {
			t.Errorf("the error line carries %q: %q", h, lastLine(r.stderr))
		}
	}
	if !strings.Contains(lastLine(r.stderr), "bad key") {
		t.Errorf("the server's message was lost: %q", lastLine(r.stderr))
	}
}
