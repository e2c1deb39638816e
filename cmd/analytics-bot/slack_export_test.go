package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/fake"
)

// resultCSV runs sql as the owner and returns its full result as CSV with
// a header row, as "export csv" must produce it.
func resultCSV(t *testing.T, pool *pgxpool.Pool, sql string) []byte {
	t.Helper()
	conn, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var buf bytes.Buffer
	if _, err := conn.Conn().PgConn().CopyTo(context.Background(), &buf, "COPY ("+sql+") TO STDOUT WITH (FORMAT csv, HEADER)"); err != nil {
		t.Fatalf("reference CSV: %v", err)
	}
	return buf.Bytes()
}

// waitForFiles waits until n files have been shared and returns them.
func (b *testBot) waitForFiles(n int) []fake.File {
	b.t.Helper()
	b.slack.WaitFor(b.t, 20*time.Second, func(s *fake.Slack) bool { return len(s.Files()) >= n })
	return b.slack.Files()
}

// checkCSV checks that f is a CSV file in the thread holding want.
func checkCSV(t *testing.T, f fake.File, channel, thread string, want []byte) {
	t.Helper()
	if f.ChannelID != channel || f.ThreadTS != thread {
		t.Errorf("file %s shared in %s/%s, want thread %s/%s", f.Name, f.ChannelID, f.ThreadTS, channel, thread)
	}
	if !strings.HasSuffix(f.Name, ".csv") {
		t.Errorf("file name %q, want a .csv", f.Name)
	}
	if !bytes.Equal(f.Content, want) {
		t.Errorf("file %s has %d bytes (%d lines), want the full result: %d bytes (%d lines); it starts %.200q",
			f.Name, len(f.Content), bytes.Count(f.Content, []byte("\n")), len(want), bytes.Count(want, []byte("\n")), f.Content)
	}
}

// buttonValue returns the value of the button with actionID in blocks.
func buttonValue(t *testing.T, blocks json.RawMessage, actionID string) string {
	t.Helper()
	var parsed []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &parsed); err != nil {
		t.Fatalf("answer blocks: %v", err)
	}
	for _, b := range parsed {
		for _, e := range b.Elements {
			if b.Type == "actions" && e.ActionID == actionID {
				return e.Value
			}
		}
	}
	t.Fatalf("no %s button in %s", actionID, blocks)
	return ""
}

// historyID is the query_history row of a question.
func (b *testBot) historyID(question string) int64 {
	b.t.Helper()
	var id int64
	if err := b.db.Pool.QueryRow(context.Background(), "SELECT id FROM analytics_bot.query_history WHERE question = $1", question).Scan(&id); err != nil {
		b.t.Fatalf("query_history row of %q: %v", question, err)
	}
	return id
}

// newReply waits for the bot's next message in a thread after the first
// `before` ones and returns it.
func (b *testBot) newReply(channel, thread string, before int) fake.Message {
	b.t.Helper()
	var msgs []fake.Message
	b.slack.WaitFor(b.t, 20*time.Second, func(s *fake.Slack) bool {
		msgs = threadMessages(s, channel, thread)
		return len(msgs) > before
	})
	return msgs[before]
}

func TestExportCSVTypedInTheThread(t *testing.T) {
	t.Parallel()
	// The model sees at most 50 rows; the export must still hold them all.
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2", "MAX_RESULT_ROWS": "50"}})
	const thread, other = "1700000201.000100", "1700000202.000100"
	b.ask(platformSQL, "ios led.", "DAU by platform yesterday?", thread, "")
	b.ask(allRowsSQL, "Here is every row.", "and every row of app_metrics?", "1700000201.000200", thread)
	b.ask(countrySQL, "The US leads.", "revenue by country?", other, "") // answered last, in another thread
	wantAll, wantCountry := resultCSV(t, b.db.Pool, allRowsSQL), resultCSV(t, b.db.Pool, countrySQL)
	if n := bytes.Count(wantAll, []byte("\n")); n <= 51 {
		t.Fatalf("the reference result has only %d lines; the test needs more than MAX_RESULT_ROWS", n)
	}
	models := len(b.model.Requests())

	b.sendEvent(mention("export csv", "1700000201.000300", thread))
	checkCSV(t, b.waitForFiles(1)[0], "C100", thread, wantAll)

	b.sendEvent(threadReply("EXPORT CSV", "1700000201.000400", thread)) // no mention
	checkCSV(t, b.waitForFiles(2)[1], "C100", thread, wantAll)

	b.sendEvent(threadReply("Export Csv", "1700000202.000200", other))
	checkCSV(t, b.waitForFiles(3)[2], "C100", other, wantCountry)

	if n := len(b.model.Requests()); n != models {
		t.Errorf("export csv called the model (%d requests, want %d)", n, models)
	}

	// Typed without the mention in a thread the bot never answered, it is
	// not for the bot: nothing happens.
	jobs := b.jobs()
	b.sendEvent(threadReply("export csv", "1700000299.000200", "1700000299.000100"))
	if b.jobs() != jobs+1 {
		t.Fatalf("the plain export csv was not queued")
	}
	b.slack.WaitFor(t, 20*time.Second, func(*fake.Slack) bool { return b.jobDone("msg:C100:1700000299.000200") })
	if n := len(b.slack.Files()); n != 3 {
		t.Errorf("%d files shared, want 3", n)
	}
	if msgs := threadMessages(b.slack, "C100", "1700000299.000100"); len(msgs) != 0 {
		t.Errorf("the bot answered in a thread that is not its own: %s", describe(msgs))
	}
}

// jobDone reports whether the slack_work job with key has completed.
func (b *testBot) jobDone(key string) bool {
	var done bool
	err := b.db.Pool.QueryRow(context.Background(), `SELECT coalesce(bool_and(state = 'completed'), false)
		FROM analytics_bot.river_job WHERE kind = 'slack_work' AND args->>'key' = $1`, key).Scan(&done)
	if err != nil {
		b.t.Fatal(err)
	}
	return done
}

func TestAnswerButtons(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	const thread = "1700000301.000100"
	first := b.ask(platformSQL, "ios led.", "DAU by platform yesterday?", thread, "")
	latest := b.ask(countrySQL, "The US leads.", "and revenue by country?", "1700000301.000200", thread)
	wantPlatform, wantCountry := resultCSV(t, b.db.Pool, platformSQL), resultCSV(t, b.db.Pool, countrySQL)

	firstID := b.historyID("DAU by platform yesterday?")
	for _, action := range []string{"show_sql", "export_csv"} {
		if v := buttonValue(t, first.Blocks, action); v != strconv.FormatInt(firstID, 10) {
			t.Errorf("the first answer's %s button carries %q, want its history id %d", action, v, firstID)
		}
	}
	models := len(b.model.Requests())

	// Buttons on the first answer act on the first question, not the latest.
	before := len(threadMessages(b.slack, "C100", thread))
	if status := b.interaction("show_sql", strconv.FormatInt(firstID, 10), "C100", first.TS, thread); status != http.StatusOK {
		t.Fatalf("show_sql: status %d", status)
	}
	reply := b.newReply("C100", thread, before)
	if !strings.Contains(reply.Text, platformSQL) || strings.Contains(reply.Text, countrySQL) {
		t.Errorf("show_sql on the first answer replied %q, want its SQL", reply.Text)
	}
	if reply.ThreadTS != thread {
		t.Errorf("show_sql replied in thread %q, want %q", reply.ThreadTS, thread)
	}
	if status := b.interaction("export_csv", strconv.FormatInt(firstID, 10), "C100", first.TS, thread); status != http.StatusOK {
		t.Fatalf("export_csv: status %d", status)
	}
	checkCSV(t, b.waitForFiles(1)[0], "C100", thread, wantPlatform)

	// Without a value (older answers), the thread's latest question is used.
	before = len(threadMessages(b.slack, "C100", thread))
	b.interaction("show_sql", "", "C100", latest.TS, thread)
	if reply := b.newReply("C100", thread, before); !strings.Contains(reply.Text, countrySQL) {
		t.Errorf("show_sql without a value replied %q, want the latest SQL", reply.Text)
	}
	b.interaction("export_csv", "", "C100", latest.TS, thread)
	checkCSV(t, b.waitForFiles(2)[1], "C100", thread, wantCountry)

	// A history id from another thread is not honoured.
	b.ask(allRowsSQL, "All rows.", "every row?", "1700000302.000100", "")
	foreign := b.historyID("every row?")
	before = len(threadMessages(b.slack, "C100", thread))
	b.interaction("show_sql", strconv.FormatInt(foreign, 10), "C100", latest.TS, thread)
	if reply := b.newReply("C100", thread, before); strings.Contains(reply.Text, allRowsSQL) {
		t.Errorf("show_sql showed another thread's SQL: %q", reply.Text)
	}

	if n := len(b.model.Requests()); n != models+2 { // +2: the "every row?" question
		t.Errorf("the buttons called the model: %d requests, want %d", n, models+2)
	}
}
