package tools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/schema"
	"github.com/analytics-bot/analytics-bot/tools"
)

var lastDay = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

// thisThread is the conversation the tools are bound to in these tests.
var thisThread = history.Conversation{TeamID: "T1", ChannelID: "C1", ThreadTS: "1700000000.000100", UserID: "U1"}

// fixture is a migrated database with demo data and the dependencies the
// tools need, built like the bot builds them.
type fixture struct {
	t       *testing.T
	db      *pgtest.DB
	ro      *readonly.DB
	catalog *schema.Cache
	history *history.Store
	files   *recordingSender
	tempDir string
}

type options struct {
	maxRows       int
	exportMaxRows int
}

func setup(t *testing.T, opts options) *fixture {
	t.Helper()
	db := pgtest.NewMigrated(t)
	ctx := context.Background()
	if _, err := demodata.Load(ctx, db.Pool, 30, lastDay); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgxpool.ParseConfig(db.ReadonlyDSN())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 4
	readonly.ConfigurePool(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if opts.maxRows == 0 {
		opts.maxRows = 100
	}
	return &fixture{
		t:       t,
		db:      db,
		ro:      readonly.New(pool, readonly.Options{Timeout: 5 * time.Second, MaxRows: opts.maxRows}),
		catalog: schema.NewCache(pool, time.Minute, slog.New(slog.DiscardHandler)),
		history: history.NewStore(db.Pool),
		files:   &recordingSender{},
		tempDir: t.TempDir(),
	}
}

func (f *fixture) deps(exportMaxRows int) tools.Deps {
	return tools.Deps{
		Catalog: f.catalog, DB: f.ro, Exporter: f.ro, History: f.history, Files: f.files,
		ExportMaxRows: exportMaxRows, TempDir: f.tempDir,
	}
}

// tool returns the named tool of a set bound to conv.
func tool(t *testing.T, set *tools.Set, name string) tools.Tool {
	t.Helper()
	for _, tl := range set.Tools() {
		if tl.Name() == name {
			return tl
		}
	}
	t.Fatalf("no tool %s", name)
	return nil
}

func call(t *testing.T, tl tools.Tool, args any) tools.Output {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tl.Call(context.Background(), raw)
	if err != nil {
		t.Fatalf("%s(%s): %v", tl.Name(), raw, err)
	}
	return out
}

// recordingSender is a FileSender that reads each file while it is being
// sent, as Slack's upload does.
type recordingSender struct {
	mu    sync.Mutex
	sent  []sentFile
	fail  error
	paths []string
}

type sentFile struct {
	tools.File
	content []byte
}

func (r *recordingSender) SendFile(_ context.Context, f tools.File) error {
	content, err := os.ReadFile(f.Path)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paths = append(r.paths, f.Path)
	if err != nil {
		return fmt.Errorf("recording sender: %w", err)
	}
	if r.fail != nil {
		return r.fail
	}
	r.sent = append(r.sent, sentFile{File: f, content: content})
	return nil
}

func (r *recordingSender) files() []sentFile {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

// assertNoTempFiles checks that every file the sender saw is gone and the
// staging folder is empty.
func (f *fixture) assertNoTempFiles() {
	f.t.Helper()
	f.files.mu.Lock()
	paths := slices.Clone(f.files.paths)
	f.files.mu.Unlock()
	for _, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			f.t.Errorf("export file %s is still there (stat: %v)", p, err)
		}
	}
	entries, err := os.ReadDir(f.tempDir)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, e := range entries {
		f.t.Errorf("left behind in the export folder: %s", e.Name())
	}
}

// ownerCSV is the full result of sql as CSV with a header, produced by
// PostgreSQL itself on the owner's connection.
func (f *fixture) ownerCSV(sql string) string {
	f.t.Helper()
	conn, err := f.db.Pool.Acquire(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	defer conn.Release()
	var buf bytes.Buffer
	if _, err := conn.Conn().PgConn().CopyTo(context.Background(), &buf, "COPY ("+sql+") TO STDOUT WITH (FORMAT csv, HEADER)"); err != nil {
		f.t.Fatal(err)
	}
	return buf.String()
}

// fingerprint is an md5 over app_metrics, to prove nothing changed.
func (f *fixture) fingerprint() string {
	f.t.Helper()
	var sum string
	err := f.db.Pool.QueryRow(context.Background(),
		"SELECT md5(string_agg(m::text, ',' ORDER BY day, platform, country)) FROM app_metrics m").Scan(&sum)
	if err != nil {
		f.t.Fatal(err)
	}
	return sum
}

func (f *fixture) record(conv history.Conversation, question, sql string, status history.Status) int64 {
	f.t.Helper()
	id, err := f.history.Record(context.Background(), history.Entry{
		Conversation: conv, Question: question, SQL: sql, RowCount: 3, Answer: "answer to " + question,
		Model: "gpt-4.1", Status: status,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func TestToolsAreTheFourOfTheInterface(t *testing.T) {
	t.Parallel()
	set := tools.NewSet(tools.Deps{}, thisThread)
	var names []string
	for _, tl := range set.Tools() {
		names = append(names, tl.Name())
		if strings.TrimSpace(tl.Description()) == "" {
			t.Errorf("%s has no description", tl.Name())
		}
	}
	if want := []string{"describe_schema", "run_readonly_sql", "fetch_history", "export_csv"}; !slices.Equal(names, want) {
		t.Errorf("tools = %v, want %v", names, want)
	}
}

// jsonSchema is the part of a JSON schema the tools use.
type jsonSchema struct {
	Type                 string                `json:"type"`
	Properties           map[string]jsonSchema `json:"properties"`
	Required             []string              `json:"required"`
	Items                *jsonSchema           `json:"items"`
	Enum                 []any                 `json:"enum"`
	AdditionalProperties *bool                 `json:"additionalProperties"`
	Description          string                `json:"description"`
}

var jsonTypes = []string{"object", "array", "string", "integer", "number", "boolean", "null"}

func checkSchema(t *testing.T, where string, s jsonSchema) {
	t.Helper()
	if !slices.Contains(jsonTypes, s.Type) {
		t.Errorf("%s: type %q is not a JSON schema type", where, s.Type)
	}
	for _, r := range s.Required {
		if _, ok := s.Properties[r]; !ok {
			t.Errorf("%s: required %q is not a property", where, r)
		}
	}
	if s.Type == "array" && s.Items == nil {
		t.Errorf("%s: array without items", where)
	}
	if s.Items != nil {
		checkSchema(t, where+".items", *s.Items)
	}
	for name, p := range s.Properties {
		checkSchema(t, where+"."+name, p)
	}
}

func TestParametersAreJSONSchemas(t *testing.T) {
	t.Parallel()
	want := map[string]struct {
		props    map[string]string // property → type
		required []string
	}{
		"describe_schema":  {map[string]string{"tables": "array"}, nil},
		"run_readonly_sql": {map[string]string{"sql": "string"}, []string{"sql"}},
		"fetch_history":    {map[string]string{"limit": "integer"}, nil},
		"export_csv":       {map[string]string{"sql": "string"}, nil},
	}
	for _, tl := range tools.NewSet(tools.Deps{}, thisThread).Tools() {
		raw, err := json.Marshal(tl.Parameters())
		if err != nil {
			t.Fatalf("%s: parameters do not marshal: %v", tl.Name(), err)
		}
		var s jsonSchema
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("%s: %v", tl.Name(), err)
		}
		if s.Type != "object" {
			t.Errorf("%s: schema type %q, want object", tl.Name(), s.Type)
		}
		checkSchema(t, tl.Name(), s)
		w := want[tl.Name()]
		for prop, typ := range w.props {
			p, ok := s.Properties[prop]
			if !ok || p.Type != typ {
				t.Errorf("%s: property %s = %+v, want type %s", tl.Name(), prop, p, typ)
			}
			if p.Description == "" {
				t.Errorf("%s: property %s has no description", tl.Name(), prop)
			}
		}
		if !slices.Equal(s.Required, w.required) {
			t.Errorf("%s: required = %v, want %v", tl.Name(), s.Required, w.required)
		}
		if tl.Name() == "describe_schema" && (s.Properties["tables"].Items == nil || s.Properties["tables"].Items.Type != "string") {
			t.Errorf("describe_schema: tables must be an array of strings: %s", raw)
		}
	}
}

func TestRunReadonlySQLReturnsDelimitedRows(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	set := tools.NewSet(f.deps(0), thisThread)
	out := call(t, tool(t, set, "run_readonly_sql"), map[string]string{
		"sql": "SELECT platform, sum(dau) AS dau FROM app_metrics GROUP BY platform ORDER BY platform",
	})
	if out.IsError {
		t.Fatalf("error result: %s", out.Text)
	}
	open, close := strings.Index(out.Text, "<data>"), strings.Index(out.Text, "</data>")
	if open < 0 || close < open {
		t.Fatalf("rows are not between <data> markers:\n%s", out.Text)
	}
	inside := out.Text[open:close]
	for _, want := range []string{"platform | dau", "android |", "ios |", "web |"} {
		if !strings.Contains(inside, want) {
			t.Errorf("the data lacks %q:\n%s", want, out.Text)
		}
	}
	if !strings.Contains(out.Text, "rows: 3 (complete)") {
		t.Errorf("the row count and completeness are not stated:\n%s", out.Text)
	}
	if out.RowCount != 3 || out.Truncated || out.Result == nil || len(out.Result.Rows) != 3 {
		t.Errorf("output = rows %d truncated %v result %v", out.RowCount, out.Truncated, out.Result)
	}
}

func TestRunReadonlySQLSaysWhenRowsWereCut(t *testing.T) {
	t.Parallel()
	f := setup(t, options{maxRows: 10})
	out := call(t, tool(t, tools.NewSet(f.deps(0), thisThread), "run_readonly_sql"),
		map[string]string{"sql": "SELECT day, platform, country, dau FROM app_metrics ORDER BY 1, 2, 3"})
	if out.IsError || !out.Truncated || out.RowCount != 10 {
		t.Fatalf("output: error %v truncated %v rows %d", out.IsError, out.Truncated, out.RowCount)
	}
	if !strings.Contains(out.Text, "MORE rows") {
		t.Errorf("the model is not told the result was cut:\n%s", out.Text)
	}
}

func TestRunReadonlySQLErrorIsAResultWithSuggestions(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	tl := tool(t, tools.NewSet(f.deps(0), thisThread), "run_readonly_sql")

	out := call(t, tl, map[string]string{"sql": "SELECT platform, sum(daus) FROM app_metrics GROUP BY 1"})
	if !out.IsError {
		t.Fatalf("unknown column not reported as an error result: %s", out.Text)
	}
	if !strings.Contains(out.Text, `column "daus" does not exist`) || !strings.Contains(out.Text, "Did you mean: dau") {
		t.Errorf("the error does not name the column and suggest dau:\n%s", out.Text)
	}

	for _, args := range []any{
		map[string]string{"sql": "SELEC 1"},
		map[string]string{"sql": "DELETE FROM app_metrics"},
		map[string]string{"sql": "SELECT * FROM query_history"},
		map[string]string{"sql": "   "},
		map[string]string{},
		json.RawMessage(`{"sql": 42}`),
	} {
		out := call(t, tl, args)
		if !out.IsError || !strings.HasPrefix(out.Text, "ERROR: ") {
			t.Errorf("%v: got %q, want an error result", args, out.Text)
		}
	}
	var n int
	if err := f.db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM app_metrics").Scan(&n); err != nil || n != 30*3*20 {
		t.Errorf("app_metrics has %d rows, %v", n, err)
	}
}

func TestDescribeSchema(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	tl := tool(t, tools.NewSet(f.deps(0), thisThread), "describe_schema")

	out := call(t, tl, map[string]any{"tables": []string{"app_metrics"}})
	if out.IsError || !strings.Contains(out.Text, "app_metrics") || !strings.Contains(out.Text, "revenue_usd") ||
		!strings.Contains(out.Text, "Daily active users") {
		t.Errorf("describe app_metrics:\n%s", out.Text)
	}
	all, err := tl.Call(context.Background(), nil) // no arguments at all
	if err != nil {
		t.Fatal(err)
	}
	if all.IsError || !strings.Contains(all.Text, "app_metrics") || strings.Contains(all.Text, "query_history") {
		t.Errorf("describe without arguments must list the readable tables only:\n%s", all.Text)
	}
	hidden := call(t, tl, map[string]any{"tables": []string{"query_history"}})
	if !hidden.IsError || !strings.Contains(hidden.Text, "app_metrics") {
		t.Errorf("describing a hidden table: %s", hidden.Text)
	}
}

func TestFetchHistorySeesOnlyThisConversation(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	others := map[string]history.Conversation{
		"other thread":          {TeamID: "T1", ChannelID: "C1", ThreadTS: "1700000999.000100", UserID: "U1"},
		"other channel":         {TeamID: "T1", ChannelID: "C2", ThreadTS: thisThread.ThreadTS, UserID: "U1"},
		"other team":            {TeamID: "T2", ChannelID: "C1", ThreadTS: thisThread.ThreadTS, UserID: "U1"},
		"DM of another user":    {TeamID: "T1", ChannelID: "D0OTHER", ThreadTS: thisThread.ThreadTS, UserID: "U2"},
		"no thread, no channel": {TeamID: "T1"},
	}
	f.record(thisThread, "first question here", "SELECT 1", history.StatusAnswered)
	for name, conv := range others {
		f.record(conv, "LEAK from "+name, "SELECT 'leak'", history.StatusAnswered)
	}
	// Another person asking in the same thread is part of the conversation.
	sameThreadOtherUser := thisThread
	sameThreadOtherUser.UserID = "U7"
	f.record(sameThreadOtherUser, "second question here", "", history.StatusFailed)
	for name, conv := range others {
		f.record(conv, "LEAK again from "+name, "", history.StatusAnswered)
	}
	f.record(thisThread, "third question here", "SELECT 3", history.StatusAnswered)

	tl := tool(t, tools.NewSet(f.deps(0), thisThread), "fetch_history")
	out := call(t, tl, map[string]any{})
	if out.IsError {
		t.Fatal(out.Text)
	}
	if strings.Contains(out.Text, "LEAK") {
		t.Errorf("another conversation's questions were fetched:\n%s", out.Text)
	}
	i1, i2, i3 := strings.Index(out.Text, "first question here"), strings.Index(out.Text, "second question here"), strings.Index(out.Text, "third question here")
	if i1 < 0 || i2 < 0 || i3 < 0 || !(i1 < i2 && i2 < i3) {
		t.Errorf("want this thread's three questions, oldest first and newest last:\n%s", out.Text)
	}
	if !strings.Contains(out.Text, "sql: SELECT 3") || !strings.Contains(out.Text, "outcome: failed") {
		t.Errorf("the SQL and the outcome are missing:\n%s", out.Text)
	}

	limited := call(t, tl, map[string]any{"limit": 2})
	if strings.Contains(limited.Text, "first question here") || !strings.Contains(limited.Text, "second question here") ||
		strings.Index(limited.Text, "second question here") > strings.Index(limited.Text, "third question here") {
		t.Errorf("limit 2 must give the two newest questions, newest last:\n%s", limited.Text)
	}
	if strings.Contains(limited.Text, "LEAK") {
		t.Errorf("another conversation's questions were fetched:\n%s", limited.Text)
	}
}

func TestFetchHistoryCapsAndDefaultsTheLimit(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	for i := range 25 {
		f.record(thisThread, fmt.Sprintf("question number %02d", i), "", history.StatusAnswered)
	}
	tl := tool(t, tools.NewSet(f.deps(0), thisThread), "fetch_history")
	count := func(text string) int { return strings.Count(text, "question: question number") }

	if n := count(call(t, tl, map[string]any{}).Text); n != 5 {
		t.Errorf("without a limit: %d questions, want the default 5", n)
	}
	big := call(t, tl, map[string]any{"limit": 1000}).Text
	if n := count(big); n != 20 {
		t.Errorf("limit 1000: %d questions, want the cap of 20", n)
	}
	if !strings.Contains(big, "question number 24") || strings.Contains(big, "question number 04") {
		t.Errorf("the capped history is not the newest questions:\n%s", big)
	}
}

func TestFetchHistoryOfANewConversation(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	f.record(history.Conversation{TeamID: "T1", ChannelID: "C1", ThreadTS: "other"}, "LEAK", "", history.StatusAnswered)
	out := call(t, tool(t, tools.NewSet(f.deps(0), thisThread), "fetch_history"), map[string]any{"limit": 3})
	if out.IsError || !strings.Contains(out.Text, "no earlier questions") || strings.Contains(out.Text, "LEAK") {
		t.Errorf("new conversation: %s", out.Text)
	}
}

const dayOneSQL = "SELECT day, platform, country, dau, revenue_usd FROM app_metrics WHERE day = '2026-06-30' ORDER BY platform, country"

func TestExportCSVSendsTheFullResult(t *testing.T) {
	t.Parallel()
	f := setup(t, options{maxRows: 10}) // the row cap of answers does not apply to exports
	out := call(t, tool(t, tools.NewSet(f.deps(1_000_000), thisThread), "export_csv"), map[string]string{"sql": dayOneSQL})
	if out.IsError {
		t.Fatal(out.Text)
	}
	sent := f.files.files()
	if len(sent) != 1 {
		t.Fatalf("%d files sent, want 1", len(sent))
	}
	file := sent[0]
	want := f.ownerCSV(dayOneSQL)
	if string(file.content) != want {
		t.Errorf("the CSV differs from the full result with header:\ngot:\n%.300s\nwant:\n%.300s", file.content, want)
	}
	if !strings.HasPrefix(string(file.content), "day,platform,country,dau,revenue_usd\n") {
		t.Errorf("no header row: %.80s", file.content)
	}
	if file.Size != int64(len(want)) || !strings.HasSuffix(file.Name, ".csv") {
		t.Errorf("file size %d name %q, want %d bytes and a .csv name", file.Size, file.Name, len(want))
	}
	if !strings.Contains(file.Comment, "60 rows") || out.RowCount != 60 || out.Truncated {
		t.Errorf("comment %q, rows %d, truncated %v; want 60 rows, complete", file.Comment, out.RowCount, out.Truncated)
	}
	if !strings.Contains(out.Text, "60 rows") {
		t.Errorf("the model is not told the row count: %s", out.Text)
	}
	f.assertNoTempFiles()
}

func TestExportCSVRemovesTheFileWhenSendingFails(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	f.files.fail = errors.New("slack is down")
	raw, _ := json.Marshal(map[string]string{"sql": dayOneSQL})
	_, err := tool(t, tools.NewSet(f.deps(0), thisThread), "export_csv").Call(context.Background(), raw)
	if err == nil || !strings.Contains(err.Error(), "slack is down") {
		t.Errorf("err = %v, want the sending failure", err)
	}
	if len(f.files.paths) != 1 {
		t.Fatalf("SendFile called %d times", len(f.files.paths))
	}
	f.assertNoTempFiles()
}

func TestExportCSVCutAtTheExportLimitSaysSo(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	out := call(t, tool(t, tools.NewSet(f.deps(5), thisThread), "export_csv"), map[string]string{"sql": dayOneSQL})
	if out.IsError {
		t.Fatal(out.Text)
	}
	file := f.files.files()[0]
	lines := strings.Split(strings.TrimSuffix(string(file.content), "\n"), "\n")
	if len(lines) != 6 {
		t.Errorf("%d lines, want the header and 5 rows:\n%s", len(lines), file.content)
	}
	if !strings.Contains(file.Comment, "EXPORT_MAX_ROWS") || !strings.Contains(file.Comment, "5 rows") {
		t.Errorf("comment %q does not say the export was cut at EXPORT_MAX_ROWS", file.Comment)
	}
	if !out.Truncated || out.RowCount != 5 || !strings.Contains(out.Text, "cut") {
		t.Errorf("output: truncated %v rows %d text %q", out.Truncated, out.RowCount, out.Text)
	}
	f.assertNoTempFiles()
}

func TestExportCSVDefaultsToThisQuestionsLatestSQL(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	f.record(thisThread, "older question", "SELECT 'from history' AS source", history.StatusAnswered)
	set := tools.NewSet(f.deps(0), thisThread)
	run := tool(t, set, "run_readonly_sql")
	if out := call(t, run, map[string]string{"sql": "SELECT 'first' AS source"}); out.IsError {
		t.Fatal(out.Text)
	}
	if out := call(t, run, map[string]string{"sql": "SELECT 'latest' AS source;"}); out.IsError {
		t.Fatal(out.Text)
	}
	if out := call(t, run, map[string]string{"sql": "SELECT nope FROM app_metrics"}); !out.IsError {
		t.Fatal("bad SQL succeeded")
	}

	out := call(t, tool(t, set, "export_csv"), map[string]any{})
	if out.IsError {
		t.Fatal(out.Text)
	}
	if got := string(f.files.files()[0].content); got != "source\nlatest\n" {
		t.Errorf("export without sql sent %q, want the latest successful SQL's result", got)
	}
	f.assertNoTempFiles()
}

func TestExportCSVDefaultsToTheThreadsLatestAnsweredQuestion(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	otherThread := thisThread
	otherThread.ThreadTS = "1700000999.000100"
	f.record(thisThread, "old", "SELECT 'old' AS source", history.StatusAnswered)
	f.record(thisThread, "answered", "SELECT 'answered' AS source", history.StatusAnswered)
	f.record(thisThread, "failed later", "SELECT 'failed' AS source", history.StatusFailed)
	f.record(thisThread, "no sql later", "", history.StatusAnswered)
	f.record(otherThread, "newer elsewhere", "SELECT 'other thread' AS source", history.StatusAnswered)

	out := call(t, tool(t, tools.NewSet(f.deps(0), thisThread), "export_csv"), map[string]any{})
	if out.IsError {
		t.Fatal(out.Text)
	}
	if got := string(f.files.files()[0].content); got != "source\nanswered\n" {
		t.Errorf("export without sql sent %q, want the thread's latest answered question's result", got)
	}
}

func TestExportCSVWithNothingToExport(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	out := call(t, tool(t, tools.NewSet(f.deps(0), thisThread), "export_csv"), map[string]any{})
	if !out.IsError || !strings.Contains(out.Text, "no earlier query") {
		t.Errorf("export with no SQL anywhere: %q", out.Text)
	}
	if len(f.files.files()) != 0 {
		t.Error("a file was sent")
	}
}

func TestExportCSVWithoutFileSender(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	deps := f.deps(0)
	deps.Files = nil
	out := call(t, tool(t, tools.NewSet(deps, thisThread), "export_csv"), map[string]string{"sql": "SELECT 1"})
	if !out.IsError {
		t.Errorf("export without a file sender: %q, want an error result", out.Text)
	}
}

func TestExportCSVRefusesHostileSQL(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	before := f.fingerprint()
	tl := tool(t, tools.NewSet(f.deps(0), thisThread), "export_csv")
	for _, sql := range []string{
		"DROP TABLE app_metrics",
		"DELETE FROM app_metrics",
		"DELETE FROM app_metrics RETURNING *",
		"UPDATE app_metrics SET dau = 0 RETURNING day",
		"WITH gone AS (DELETE FROM app_metrics RETURNING *) SELECT * FROM gone",
		"SELECT 1; DELETE FROM app_metrics",
		"SELECT 1) TO STDOUT; DELETE FROM app_metrics; COPY (SELECT 1",
		"SELECT 1\n) AS x) TO PROGRAM 'touch /tmp/abt_pwned' --",
		"SELECT * FROM query_history",
		"SELECT * FROM analytics_bot.settings",
		"SELECT pg_read_file('/etc/passwd')",
		"SELECT set_config('default_transaction_read_only', 'off', false); DELETE FROM app_metrics",
		"COPY app_metrics TO STDOUT",
		"TRUNCATE app_metrics",
	} {
		raw, _ := json.Marshal(map[string]string{"sql": sql})
		out, err := tl.Call(context.Background(), raw)
		if err != nil {
			t.Errorf("%q: Go error %v, want an error result for the model", sql, err)
			continue
		}
		if !out.IsError {
			t.Errorf("%q: exported (%s), want an error result", sql, out.Text)
		}
	}
	if len(f.files.files()) != 0 {
		t.Errorf("%d files were sent", len(f.files.files()))
	}
	if after := f.fingerprint(); after != before {
		t.Error("app_metrics changed")
	}
	if _, err := os.Stat("/tmp/abt_pwned"); err == nil {
		t.Error("a program ran on the server")
	}
	f.assertNoTempFiles()
}
