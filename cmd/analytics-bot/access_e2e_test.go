package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

// euCountries are the rows the eu data role's row-level security policy
// lets it read.
var euCountries = []string{"DE", "ES", "FR", "GB", "IT", "NL", "PL", "SE"}

// accessBot is a bot with an access file of two data roles over the demo
// data, and a row-level security policy on app_metrics written as a DBA
// would: the eu role reads only European rows of app_metrics (and no
// other table); the fin role reads every table of public.
type accessBot struct {
	*testBot
	eu, fin string
}

const (
	euChannel  = "C200" // answers as the eu role
	finChannel = "C300" // answers as the fin role
	euUser     = "U123" // allowed eu by name; asks in C100 too
	groupUser  = "U777" // allowed eu through user group S1
	finUser    = "U555" // allowed fin by a rule of its own
	outsider   = "U999" // allowed only the default role
)

func newAccessBot(t *testing.T) *accessBot {
	t.Helper()
	db := pgtest.NewMigrated(t)
	// Roles are server-wide: name them after this test's database.
	eu, fin := "i19_"+db.Name+"_eu", "i19_"+db.Name+"_fin"
	dropRolesAtEnd(t, db, eu, fin)
	path := filepath.Join(t.TempDir(), "access.yaml")
	file := `roles:
  - name: ` + eu + `
    schemas: [public]
    tables: [public.app_metrics]
  - name: ` + fin + `
    schemas: [public]
rules:
  - channels: [` + euChannel + `]
    users: [` + euUser + `]
    usergroups: [S1]
    role: ` + eu + `
  - channels: [` + finChannel + `]
    role: ` + fin + `
  - users: [` + finUser + `]
    role: ` + fin + `
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	b := newTestBot(t, botOptions{db: db, noStart: true, env: map[string]string{"ACCESS_FILE": path, "WORKERS": "2"}})
	b.slack.SetUserGroup("S1", groupUser)
	// A table the eu role's allowlist leaves out.
	if _, err := db.Pool.Exec(context.Background(), "CREATE TABLE public.payroll (employee text, salary numeric)"); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, b.env, "migrate"); r.code != 0 {
		t.Fatalf("migrate: exit %d: %s\n%s", r.code, r.stdout, r.stderr)
	}
	ctx := context.Background()
	for _, stmt := range []string{
		"ALTER TABLE app_metrics ENABLE ROW LEVEL SECURITY",
		"CREATE POLICY everything ON app_metrics FOR SELECT TO " + pgtest.ReadonlyUser + ", " + fin + " USING (true)",
		"CREATE POLICY europe ON app_metrics FOR SELECT TO " + eu + " USING (country IN ('" + strings.Join(euCountries, "', '") + "'))",
	} {
		if _, err := db.Pool.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	b.start()
	return &accessBot{testBot: b, eu: eu, fin: fin}
}

// dropRolesAtEnd drops the test's data roles after the bot has stopped
// and before the database is dropped.
func dropRolesAtEnd(t *testing.T, db *pgtest.DB, roles ...string) {
	t.Helper()
	t.Cleanup(func() {
		ctx := context.Background()
		for _, r := range roles {
			ident := pgx.Identifier{r}.Sanitize()
			if _, err := db.Pool.Exec(ctx, "DROP OWNED BY "+ident); err != nil && !strings.Contains(err.Error(), "does not exist") {
				t.Errorf("drop what %s owns: %v", r, err)
			}
			if _, err := db.Pool.Exec(ctx, "DROP ROLE IF EXISTS "+ident); err != nil {
				t.Errorf("drop role %s: %v", r, err)
			}
		}
	})
}

// askAs sends a question in a channel (a mention) or a DM (a D… channel)
// from user, scripting the model to run sql.
func (b *accessBot) askAs(sql, answer, question, channel, user, ts string) fake.Message {
	b.t.Helper()
	scriptSQLAnswer(b.model, sql, answer)
	b.sendEvent(asEvent(question, channel, user, ts, ""))
	return b.waitForText(channel, ts, answer)
}

func asEvent(text, channel, user, ts, thread string) map[string]any {
	ev := map[string]any{"type": "app_mention", "user": user, "text": "<@UBOT> " + text, "ts": ts, "channel": channel, "event_ts": ts}
	if strings.HasPrefix(channel, "D") {
		ev = map[string]any{"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts}
	}
	if thread != "" {
		ev["thread_ts"] = thread
	}
	return ev
}

// countries lists the country codes a message's blocks show.
func countriesIn(m fake.Message) []string {
	var out []string
	for _, c := range []string{"US", "IN", "BR", "GB", "DE", "JP", "FR", "CA", "MX", "ID", "PH", "ES", "IT", "KR", "AU", "NL", "TR", "PL", "NG", "SE"} {
		if bytes.Contains(m.Blocks, []byte(`"`+c+`"`)) {
			out = append(out, c)
		}
	}
	return out
}

// dataRoleOf is the data_role query_history recorded for a question.
func (b *accessBot) dataRoleOf(question string) string {
	b.t.Helper()
	var role *string
	if err := b.db.Pool.QueryRow(context.Background(), "SELECT data_role FROM analytics_bot.query_history WHERE question = $1", question).Scan(&role); err != nil {
		b.t.Fatalf("query_history of %q: %v", question, err)
	}
	if role == nil {
		return ""
	}
	return *role
}

func TestAccessSameQuestionDifferentRowsPerChannel(t *testing.T) {
	t.Parallel()
	b := newAccessBot(t)
	all := b.askAs(countrySQL, "Revenue by country, everywhere.", "revenue by country?", "C100", euUser, "1700001001.000100")
	eu := b.askAs(countrySQL, "Revenue by country, in Europe.", "revenue by country in #eu?", euChannel, euUser, "1700001002.000100")

	if got := countriesIn(all); len(got) != 20 {
		t.Errorf("the default channel's answer shows %v, want all 20 countries", got)
	}
	if got := countriesIn(eu); !slices.Equal(got, sortedLike(euCountries)) {
		t.Errorf("the eu channel's answer shows %v, want only %v", got, euCountries)
	}
	if strings.Contains(string(all.Blocks), b.eu) {
		t.Errorf("the default role's answer names a data role: %s", all.Blocks)
	}
	if !strings.Contains(string(eu.Blocks), b.eu) {
		t.Errorf("the eu answer's context line does not name its data role %s: %s", b.eu, eu.Blocks)
	}
	if r := b.dataRoleOf("revenue by country in #eu?"); r != b.eu {
		t.Errorf("query_history.data_role = %q, want %s", r, b.eu)
	}

	// A user group's member is allowed the eu role too.
	grp := b.askAs(countrySQL, "Revenue for the group.", "revenue by country, group?", euChannel, groupUser, "1700001003.000100")
	if got := countriesIn(grp); !slices.Equal(got, sortedLike(euCountries)) {
		t.Errorf("the group member's answer shows %v, want only %v", got, euCountries)
	}

	// In a direct message the asker's own rule applies: eu for euUser,
	// the default role for the outsider.
	dm := b.askAs(countrySQL, "Your revenue by country.", "revenue by country, dm?", "D100", euUser, "1700001004.000100")
	if got := countriesIn(dm); !slices.Equal(got, sortedLike(euCountries)) {
		t.Errorf("euUser's DM answer shows %v, want only %v", got, euCountries)
	}
	dmAll := b.askAs(countrySQL, "Everyone's revenue.", "revenue by country, outsider dm?", "D999", outsider, "1700001005.000100")
	if got := countriesIn(dmAll); len(got) != 20 {
		t.Errorf("the outsider's DM answer shows %v, want all 20 countries (the default role)", got)
	}
}

// sortedLike returns the codes in the order countriesIn lists them.
func sortedLike(codes []string) []string {
	var out []string
	for _, c := range []string{"US", "IN", "BR", "GB", "DE", "JP", "FR", "CA", "MX", "ID", "PH", "ES", "IT", "KR", "AU", "NL", "TR", "PL", "NG", "SE"} {
		if slices.Contains(codes, c) {
			out = append(out, c)
		}
	}
	return out
}

func TestAccessAskerNotAllowedTheChannelsRoleGetsANote(t *testing.T) {
	t.Parallel()
	b := newAccessBot(t)
	const ts = "1700001101.000100"
	requests := len(b.model.Requests())
	b.sendEvent(asEvent("revenue by country?", euChannel, outsider, ts, ""))
	var note fake.Message
	b.slack.WaitFor(t, 20*time.Second, func(s *fake.Slack) bool {
		for _, m := range s.Messages() {
			if m.Channel == euChannel && m.Ephemeral {
				note = m
				return true
			}
		}
		return false
	})
	if note.User != outsider {
		t.Errorf("the note went to %q, want only the asker %s", note.User, outsider)
	}
	if text := strings.ToLower(note.Text + string(note.Blocks)); !strings.Contains(text, "direct message") {
		t.Errorf("the note does not suggest a direct message: %q %s", note.Text, note.Blocks)
	}
	b.slack.WaitFor(t, 20*time.Second, func(*fake.Slack) bool { return b.jobDone("msg:" + euChannel + ":" + ts) })
	if msgs := threadMessages(b.slack, euChannel, ts); len(msgs) != 0 {
		t.Errorf("the channel got an answer: %s", describe(msgs))
	}
	if n := len(b.model.Requests()); n != requests {
		t.Errorf("the model was asked (%d requests, want %d)", n, requests)
	}
}

func TestAccessExportInARestrictedThreadExportsOnlyItsRows(t *testing.T) {
	t.Parallel()
	b := newAccessBot(t)
	const thread = "1700001201.000100"
	b.askAs(allRowsSQL, "Every row you may see.", "every row of app_metrics?", euChannel, euUser, thread)
	b.sendEvent(asEvent("export csv", euChannel, euUser, "1700001201.000200", thread))
	want := resultCSVAs(t, b.db, b.eu, allRowsSQL)
	if bytes.Contains(want, []byte(",US,")) || !bytes.Contains(want, []byte(",DE,")) {
		t.Fatalf("the reference export is not the European rows: %.300s", want)
	}
	checkCSV(t, b.waitForFiles(1)[0], euChannel, thread, want)
}

// resultCSVAs is resultCSV with the rows role may read.
func resultCSVAs(t *testing.T, db *pgtest.DB, role, sql string) []byte {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET ROLE "+pgx.Identifier{role}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, "RESET ROLE")
	var buf bytes.Buffer
	if _, err := conn.Conn().PgConn().CopyTo(ctx, &buf, "COPY ("+sql+") TO STDOUT WITH (FORMAT csv, HEADER)"); err != nil {
		t.Fatalf("reference CSV: %v", err)
	}
	return buf.Bytes()
}

func TestAccessModelSQLCannotSwitchRole(t *testing.T) {
	t.Parallel()
	b := newAccessBot(t)
	for i, sql := range []string{
		"SET ROLE postgres",
		"SELECT set_config('role', 'postgres', false)",
		"RESET ROLE",
		"SET SESSION AUTHORIZATION postgres",
	} {
		ts := "1700001301.00010" + string(rune('0'+i))
		requests := len(b.model.Requests())
		answer := "tried " + string(rune('a'+i))
		scriptSQLAnswer(b.model, sql, answer)
		b.sendEvent(asEvent("become someone else", euChannel, euUser, ts, ""))
		b.waitForText(euChannel, ts, answer)
		reqs := b.model.Requests()
		if len(reqs) < requests+2 {
			t.Fatalf("%s: %d model requests, want 2 more", sql, len(reqs)-requests)
		}
		result := lastToolResult(reqs[requests+1])
		if !strings.Contains(strings.ToLower(result), "refused") && !strings.Contains(strings.ToLower(result), "not allowed") && !strings.Contains(strings.ToLower(result), "error") {
			t.Errorf("%s: the tool result does not refuse it: %s", sql, result)
		}
	}
	// The next question in the channel still runs as the eu role.
	const ts = "1700001399.000100"
	scriptSQLAnswer(b.model, "SELECT current_user AS who, session_user AS login", "who am I")
	b.sendEvent(asEvent("who runs this?", euChannel, euUser, ts, ""))
	msg := b.waitForText(euChannel, ts, "who am I")
	if n := strings.Count(string(msg.Blocks), b.eu); n < 2 {
		t.Errorf("current_user/session_user are not both %s: %s", b.eu, msg.Blocks)
	}
	for _, r := range []string{"postgres", pgtest.ReadonlyUser} {
		if strings.Contains(string(msg.Blocks), `"`+r+`"`) {
			t.Errorf("the session runs as %s: %s", r, msg.Blocks)
		}
	}
}

// lastToolResult is the content of the last tool message of a request.
func lastToolResult(r fake.ChatRequest) string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "tool" {
			return r.Messages[i].Content
		}
	}
	return ""
}

func TestAccessPromptOfTheRestrictedRoleOmitsUnreadableTables(t *testing.T) {
	t.Parallel()
	b := newAccessBot(t)
	tables := func(channel, user string) ([]string, string) {
		r := runCLI(t, b.env, "prompt", "revenue by country and everything else?", "--json", "--channel", channel, "--user", user)
		if r.code != 0 {
			t.Fatalf("prompt --channel %s --user %s: exit %d: %s", channel, user, r.code, r.stderr)
		}
		var p struct {
			Tables []struct {
				Name string `json:"name"`
			} `json:"tables"`
			DataRole string `json:"data_role"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
			t.Fatalf("prompt JSON: %v\n%s", err, r.stdout)
		}
		var names []string
		for _, tb := range p.Tables {
			names = append(names, tb.Name)
		}
		return names, p.DataRole
	}
	euTables, euRole := tables(euChannel, euUser)
	if euRole != b.eu {
		t.Errorf("prompt data_role = %q, want %s", euRole, b.eu)
	}
	if len(euTables) != 1 || !strings.HasSuffix(euTables[0], "app_metrics") {
		t.Errorf("the eu role's prompt lists tables %v, want only app_metrics", euTables)
	}
	finTables, _ := tables(finChannel, finUser)
	if !slices.ContainsFunc(finTables, func(n string) bool { return strings.HasSuffix(n, "payroll") }) {
		t.Errorf("the fin role's prompt lists tables %v, want payroll among them", finTables)
	}
	if r := runCLI(t, b.env, "prompt", "revenue?", "--channel", euChannel, "--user", outsider); r.code == 0 {
		t.Errorf("prompt as an asker not allowed the channel's role succeeded: %s", r.stdout)
	}

	// /readyz lists each data role and whether it connects.
	resp, err := http.Get(b.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, role := range []string{pgtest.ReadonlyUser, b.eu, b.fin} {
		if !strings.Contains(string(body), "data role "+role+": connects") {
			t.Errorf("/readyz does not say data role %s connects:\n%s", role, body)
		}
	}

	// access check on the good file: each role, the default first, with
	// what it can read.
	r := runCLI(t, b.env, "access", "check")
	if r.code != 0 {
		t.Fatalf("access check: exit %d: %s\n%s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], pgtest.ReadonlyUser+" (open to every asker): ") ||
		!strings.HasPrefix(lines[1], b.eu+" (kept to 1 user(s) and 1 user group(s)): schemas public, 1 allowlisted table(s): ") ||
		!strings.HasPrefix(lines[2], b.fin+" (kept to 1 user(s) and 0 user group(s)): schemas public: ") || !strings.Contains(lines[1], "1 table") {
		t.Errorf("access check printed:\n%s", r.stdout)
	}
}

func TestAccessCheckNamesEachProblemWithItsLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "access.yaml")
	broken := `roles:
  - name: analytics_eu
    schemas: [public]
rules:
  - channels: [C1]
    role: analytics_finance
  - channels: [C2, C1]
    role: analytics_eu
`
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"POSTGRES_HOST": "127.0.0.1", "POSTGRES_USER": "owner", "POSTGRES_PASSWORD": "x", "POSTGRES_DB": "analytics",
		"POSTGRES_READONLY_USER": "analytics_readonly", "ACCESS_FILE": path}
	r := runCLI(t, env, "access", "check")
	if r.code == 0 {
		t.Fatalf("access check on a broken file exited 0: %s", r.stdout)
	}
	for _, want := range []string{path + `:5: rule names role "analytics_finance"`, path + ":7: channel C1 is mapped twice (first on line 5)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("access check output lacks %q:\n%s\n%s", want, r.stdout, r.stderr)
		}
	}
	if !strings.Contains(lastLine(r.stderr), "2 problems") {
		t.Errorf("last line %q, want the count of problems", lastLine(r.stderr))
	}

	if err := os.WriteFile(path, []byte("roles:\n  - name: analytics_eu\n    schemas: [public]\n    colour: blue\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, env, "access", "check")
	if r.code == 0 || !strings.Contains(r.stdout, path+`:4: unknown key "colour"`) {
		t.Errorf("unknown key: exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	env["ACCESS_FILE"] = filepath.Join(t.TempDir(), "missing.yaml")
	r = runCLI(t, env, "access", "check")
	if r.code != 2 || !strings.Contains(lastLine(r.stderr), "ACCESS_FILE is ") || !strings.Contains(r.stderr, "cannot be read") {
		t.Errorf("a missing file: exit %d, stderr %q; want exit 2 naming ACCESS_FILE", r.code, r.stderr)
	}
}

// TestAccessCheckWithoutAnAccessFile: every question then runs as the
// read-only role, and access check says what that role can read.
func TestAccessCheckWithoutAnAccessFile(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{noStart: true})
	env := maps.Clone(b.env)
	delete(env, "ACCESS_FILE")
	r := runCLI(t, env, "access", "check")
	if r.code != 0 || !strings.Contains(r.stdout, "every question runs as "+pgtest.ReadonlyUser) || !strings.Contains(r.stdout, "can read") {
		t.Errorf("exit %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
