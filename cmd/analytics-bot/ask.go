package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/tools"
)

const askTableRows = 20

func runAsk(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "ask", `ask "QUESTION" [--json] [--thread ID] [--chart FILE]

Answers one question in the terminal with the same agent as Slack: the answer,
the SQL, the first rows, model turns, tokens, cost and latency.`)
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	thread := fs.String("thread", "", "continue the conversation with this id (printed after every answer)")
	chartFile := fs.String("chart", "", "write the answer's chart (PNG) to this file when there is one")
	positional, helped, err := parseInterspersed(fs, e, args)
	if helped || err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(positional, " "))
	if question == "" {
		return fmt.Errorf("%w: ask needs a question, for example: analytics-bot ask \"what was DAU by platform last week?\"", errUsage)
	}
	cfg, log, err := loadConfig(ctx, e, config.NeedDatabase)
	if err != nil {
		return err
	}
	// Without a model, a question that a verified query answers exactly
	// is still answered; any other ends with the missing setting's name.
	noModel := cfg.Validate(config.NeedModel)
	s, err := newStack(ctx, cfg, log, stackOptions{
		files: func(history.Conversation) tools.FileSender { return localFiles{dir: ".", out: e.stderr} },
	})
	if err != nil {
		if noModel != nil {
			return noModel
		}
		return err
	}
	defer s.Close()

	conv := history.Conversation{TeamID: "cli", ChannelID: "cli", ThreadTS: *thread, UserID: userName(e)}
	if conv.ThreadTS == "" {
		conv.ThreadTS = "cli-" + strings.ToLower(rand.Text()[:10])
	} else if err := checkThread(ctx, s, conv, e.stderr); err != nil {
		return err
	}
	ans, runErr := s.agent.Run(ctx, question, conv)
	if errors.Is(runErr, agent.ErrNoModel) && noModel != nil {
		return noModel
	}
	if *chartFile != "" && ans.Result != nil {
		if err := writeChart(*chartFile, ans, question, e.stderr); err != nil {
			return err
		}
	}
	if *asJSON {
		if err := printAnswerJSON(e.stdout, question, conv.ThreadTS, ans); err != nil {
			return err
		}
	} else {
		out := &safeWriter{out: e.stdout}
		printAnswer(out, conv.ThreadTS, ans)
		if err := out.Flush(); err != nil {
			return fmt.Errorf("write answer: %w", err)
		}
	}
	if runErr != nil {
		return fmt.Errorf("the question failed: %s", agent.FailureDetail(runErr))
	}
	return nil
}

func printAnswer(w io.Writer, thread string, ans *agent.Answer) {
	fmt.Fprintln(w, ans.Text)
	if ans.SQL != "" {
		fmt.Fprintf(w, "\nSQL:\n%s\n", indent(ans.SQL))
	}
	if ans.Result != nil {
		res := ans.Result
		shown := min(len(res.Rows), askTableRows)
		more := ""
		if res.Truncated {
			more = ", cut at MAX_RESULT_ROWS"
		}
		fmt.Fprintf(w, "\nResult: %d row(s)%s, first %d shown\n", len(res.Rows), more, shown)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		header := make([]string, len(res.Columns))
		for i, c := range res.Columns {
			header[i] = c.Name
		}
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for i, row := range res.Rows[:shown] {
			cells := make([]string, len(row))
			for j := range row {
				cells[j] = cellOneLine.Replace(res.Display(i, j))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		tw.Flush()
	}
	if v := ans.Verified; v != nil {
		fmt.Fprintf(w, "\n✓ Verified query: %s (%s)\n", v.Label, v.ID)
	}
	u := ans.Usage
	if ans.NoModel {
		fmt.Fprintf(w, "\nno model call · cost $0 · latency %s · %s\n", ans.Latency.Round(time.Millisecond), ans.Status)
		fmt.Fprintf(w, "thread %s (continue with --thread %s)\n", thread, thread)
		return
	}
	fmt.Fprintf(w, "\nturns %d · tokens %d in (%d cached) / %d out · cost $%.4f · latency %s · %s\n",
		ans.Turns, u.InputTokens, u.CachedInputTokens, u.OutputTokens, ans.CostUSD, ans.Latency.Round(time.Millisecond), ans.Status)
	fmt.Fprintf(w, "thread %s (continue with --thread %s)\n", thread, thread)
}

// cellOneLine keeps a terminal table cell on its row and in its column:
// a line break or tab in a value is written as its escape.
var cellOneLine = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`)

// askJSON is the machine-readable shape of `ask --json`.
type askJSON struct {
	Question  string            `json:"question"`
	Answer    string            `json:"answer"`
	SQL       string            `json:"sql"`
	Columns   []readonly.Column `json:"columns"`
	Rows      [][]any           `json:"rows"`
	RowCount  int               `json:"row_count"`
	Truncated bool              `json:"truncated"`
	Chart     string            `json:"chart,omitempty"`
	Turns     int               `json:"turns"`
	Tokens    agent.Usage       `json:"tokens"`
	CostUSD   float64           `json:"cost_usd"`
	LatencyMS int64             `json:"latency_ms"`
	Model     string            `json:"model"`
	Status    string            `json:"status"`
	Error     string            `json:"error,omitempty"`
	Thread    string            `json:"thread"`
	ToolCalls []agent.ToolCall  `json:"tool_calls"`
	// Verified names the verified query the SQL is; NoModel says the
	// answer came from it with no model call.
	Verified *agent.VerifiedRef `json:"verified,omitempty"`
	NoModel  bool               `json:"no_model"`
}

func printAnswerJSON(w io.Writer, question, thread string, ans *agent.Answer) error {
	out := askJSON{
		Question: question, Answer: ans.Text, SQL: ans.SQL, Columns: []readonly.Column{}, Rows: [][]any{},
		Turns: ans.Turns, Tokens: ans.Usage, CostUSD: ans.CostUSD, LatencyMS: ans.Latency.Milliseconds(),
		Model: ans.Model, Status: string(ans.Status), Thread: thread, ToolCalls: ans.ToolCalls, Chart: ans.Chart,
		Verified: ans.Verified, NoModel: ans.NoModel,
	}
	if ans.Error != "" {
		out.Error = ans.Error
	}
	if out.ToolCalls == nil {
		out.ToolCalls = []agent.ToolCall{}
	}
	if r := ans.Result; r != nil {
		out.Columns, out.RowCount, out.Truncated = r.Columns, len(r.Rows), r.Truncated
		for i, row := range r.Rows {
			cells := make([]any, len(row))
			for j := range row {
				cells[j] = jsonCell(r, i, j)
			}
			out.Rows = append(out.Rows, cells)
		}
	}
	js, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	if _, err := w.Write(append(escapeHidden(js), '\n')); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// jsonCell is a cell exactly as PostgreSQL prints it: numbers as JSON
// numbers with every digit, booleans as booleans, NULL as null, the rest
// as strings.
func jsonCell(r *readonly.Result, i, j int) any {
	text, null := r.Text(i, j)
	switch v := r.Rows[i][j].(type) {
	case nil:
		return nil
	case bool:
		return v
	case int64, float64:
		if !null && json.Valid([]byte(text)) {
			return json.Number(text)
		}
	}
	return text
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n  ")
}

func userName(e env) string {
	if u, ok := e.lookup("USER"); ok && u != "" {
		return u
	}
	return "cli"
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, as in: ask "QUESTION" --json.
func parseInterspersed(fs *flag.FlagSet, e env, args []string) (positional []string, helped bool, err error) {
	for {
		if helped, err = parseFlags(fs, e, args); helped || err != nil {
			return nil, helped, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, false, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// localFiles is the terminal's file sender: it copies exports into a
// folder and says where.
type localFiles struct {
	dir string
	out io.Writer
}

func (l localFiles) SendFile(_ context.Context, f tools.File) error {
	src, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("open export: %w", err)
	}
	defer src.Close()
	dst, err := os.Create(l.dir + string(os.PathSeparator) + f.Name)
	if err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("write export: %w", err)
	}
	fmt.Fprint(l.out, termSafe(fmt.Sprintf("wrote %s (%s)\n", dst.Name(), f.Comment)))
	return dst.Close()
}

// checkThread says so when --thread names a conversation with no earlier
// question, most often a mistyped id, instead of silently starting anew.
func checkThread(ctx context.Context, s *stack, conv history.Conversation, stderr io.Writer) error {
	earlier, err := s.history.Recent(ctx, conv, 1)
	if err != nil {
		return fmt.Errorf("read thread %s: %w", conv.ThreadTS, err)
	}
	if len(earlier) == 0 {
		fmt.Fprintf(stderr, "note: --thread %s has no earlier question here (mistyped?); starting a new conversation under that id\n", conv.ThreadTS)
	}
	return nil
}
