package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

// The load benchmarks print figures and assert no timings (DESIGN.md,
// Testing). Run them one at a time, on an otherwise idle machine; each
// says how busy the machine was while it measured, since on two cores
// anyone else's build shows in the tail latencies:
//
//	go test -run '^$' -bench AckLatency -benchtime 1x ./cmd/analytics-bot/
//	go test -run '^$' -bench QuestionsPerMinute -benchtime 1x -timeout 30m ./cmd/analytics-bot/
//	go test -run '^$' -bench ServeFootprint -benchtime 1x ./cmd/analytics-bot/
//
// -bench AckLatency also runs BenchmarkAckLatencyBaseline, the same load
// on a bare net/http handler that commits one row, for comparison.

// Shape of the load.
const (
	loadClients    = 32              // concurrent Slack deliveries
	loadModelDelay = 2 * time.Second // every model turn
	loadMarker     = "LOAD-ANSWER"   // starts every final answer
)

// loadModel answers every question with one run_readonly_sql call, then
// with a reply carrying the marker and the question.
func loadModel(req fake.ChatRequest) fake.Response {
	if len(req.ToolResults()) == 0 {
		return fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": platformSQL}))
	}
	return fake.Reply(loadMarker + " " + req.LastUserMessage())
}

// loadEvents builds n distinct app_mention deliveries; batch keeps their
// message timestamps and texts apart from other batches.
func loadEvents(bot *testBot, batch, n int) [][]byte {
	bodies := make([][]byte, n)
	for i := range bodies {
		ts := fmt.Sprintf("17%02d%06d.000100", batch, i)
		// One user per question: a real load comes from many people, and
		// one person's questions beyond MAX_QUESTIONS_PER_USER wait.
		bodies[i] = bot.event(userMention(fmt.Sprintf("ULOAD%05d", i), "C100", fmt.Sprintf("%s what was DAU by platform yesterday?", questionTag(batch, i)), ts))
	}
	return bodies
}

// questionTag names a question in its text, so its answer can be found.
func questionTag(batch, i int) string { return fmt.Sprintf("[b%d q%d]", batch, i) }

func loadClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: loadClients, MaxIdleConnsPerHost: loadClients, IdleConnTimeout: time.Minute,
	}}
}

// fireResult is what a batch of deliveries got back.
type fireResult struct {
	latencies      []time.Duration
	non2xx, failed int
}

// fire delivers the bodies from loadClients concurrent clients and times
// each acknowledgement.
func fire(ctx context.Context, client *http.Client, baseURL string, bodies [][]byte) fireResult {
	var next atomic.Int64
	var mu sync.Mutex
	res := fireResult{latencies: make([]time.Duration, 0, len(bodies))}
	var wg sync.WaitGroup
	for range loadClients {
		wg.Go(func() {
			var mine fireResult
			for i := int(next.Add(1)) - 1; i < len(bodies); i = int(next.Add(1)) - 1 {
				mine.add(deliver(ctx, client, baseURL, bodies[i]))
			}
			mu.Lock()
			defer mu.Unlock()
			res.latencies = append(res.latencies, mine.latencies...)
			res.non2xx += mine.non2xx
			res.failed += mine.failed
		})
	}
	wg.Wait()
	return res
}

// deliver posts one event, signed just before it is sent, and times the
// acknowledgement.
func deliver(ctx context.Context, client *http.Client, baseURL string, body []byte) (time.Duration, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/slack/events", bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	sign(req, body, testSigningSecret, time.Now())
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(start), resp.StatusCode, nil
}

func (r *fireResult) add(took time.Duration, status int, err error) {
	switch {
	case err != nil:
		r.failed++
		return
	case status/100 != 2:
		r.non2xx++
	}
	r.latencies = append(r.latencies, took)
}

// quietTB keeps the server's logs (which the harness writes with Log) out
// of the benchmark output; logTally counts them by level instead.
type quietTB struct {
	testing.TB
	logs *logTally
}

func (q quietTB) Log(args ...any) { q.logs.add(fmt.Sprint(args...)) }

func (q quietTB) Logf(format string, args ...any) { q.logs.add(fmt.Sprintf(format, args...)) }

// logTally counts log lines by level and keeps the first two warnings or
// errors to show (a benchmark's log is cut after ten lines).
type logTally struct {
	mu       sync.Mutex
	byLevel  map[string]int
	problems []string
}

func (l *logTally) add(line string) {
	var rec struct {
		Level string `json:"level"`
	}
	if json.Unmarshal([]byte(line), &rec) != nil || rec.Level == "" {
		rec.Level = "OTHER"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byLevel == nil {
		l.byLevel = map[string]int{}
	}
	l.byLevel[rec.Level]++
	if (rec.Level == "WARN" || rec.Level == "ERROR") && len(l.problems) < 2 {
		l.problems = append(l.problems, line[:min(len(line), 400)])
	}
}

func (l *logTally) report(b *testing.B) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b.Logf("server log lines by level: %v", l.byLevel)
	for _, p := range l.problems {
		b.Logf("  %s", p)
	}
}
