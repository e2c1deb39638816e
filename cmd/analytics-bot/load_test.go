package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/pgtest"
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

// BenchmarkAckLatency measures how fast signed app_mention events are
// acknowledged (verify → dispatch → River insert → 200) while questions
// are being answered. A warm-up spreads one question per worker over one
// model turn, so that when the measured events start every worker is busy
// and first turns keep coming back (each worker then runs its SQL and
// asks again) throughout the measurement. Goal: p99 under 15 ms and no
// non-2xx on the 2-core reference machine.
func BenchmarkAckLatency(b *testing.B) {
	const (
		workers = 100
		events  = 2000
	)
	if testing.Short() {
		b.Skip("load benchmark: boots the whole bot and sends thousands of events")
	}
	logs := &logTally{}
	bot := newTestBot(quietTB{TB: b, logs: logs}, botOptions{env: map[string]string{"WORKERS": strconv.Itoa(workers)}})
	bot.model.Handle(loadModel)
	bot.model.SetDelay(loadModelDelay)
	client := loadClient()
	ctx := context.Background()

	var lat []time.Duration
	var non2xx, failed int
	var cpu cpuUse
	var ownerUse, readonlyUse poolUse
	b.ResetTimer()
	for round := range b.N {
		b.StopTimer()
		// Open the clients' connections with deliveries that queue nothing.
		if r := fire(ctx, client, bot.url, urlVerifications(2*loadClients)); r.non2xx+r.failed > 0 {
			b.Fatalf("warm-up: %d non-2xx, %d failed requests", r.non2xx, r.failed)
		}
		warm := loadEvents(bot, 2*round, workers)
		if n := firePaced(ctx, client, bot.url, warm, loadModelDelay/time.Duration(workers)); n > 0 {
			b.Fatalf("warm-up: %d requests failed or were refused", n)
		}
		bodies := loadEvents(bot, 2*round+1, events)
		b.StartTimer()

		cpu0 := sampleCPU(bot.db.Name)
		stopOwner, stopReadonly := watchPool(&ownerUse, bot.srv.owner), watchPool(&readonlyUse, bot.srv.readonly)
		r := fire(ctx, client, bot.url, bodies)
		stopOwner()
		stopReadonly()
		cpu.add(cpu0, sampleCPU(bot.db.Name))
		lat = append(lat, r.latencies...)
		non2xx += r.non2xx
		failed += r.failed
	}
	b.StopTimer()

	if want := b.N * (workers + events); bot.jobs() != want {
		b.Errorf("%d jobs queued, want %d (one per acknowledged event)", bot.jobs(), want)
	}
	reportAcks(b, lat, non2xx, failed, cpu, fmt.Sprintf("the bot, %d workers busy with a %v model", workers, loadModelDelay))
	logPoolStats(b, bot.srv, &ownerUse, &readonlyUse)
	logs.report(b)
}

// BenchmarkAckLatencyBaseline is the reference for BenchmarkAckLatency
// under the same conditions: a bare net/http handler that commits one row
// with pgx, driven by the same clients with the same events.
func BenchmarkAckLatencyBaseline(b *testing.B) {
	const events = 2000
	if testing.Short() {
		b.Skip("load benchmark: sends thousands of requests")
	}
	db := pgtest.New(b)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, "CREATE TABLE delivery (id bigserial PRIMARY KEY, body jsonb NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, db.DSN()+"?pool_max_conns=20")
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err == nil {
			_, err = pool.Exec(r.Context(), "INSERT INTO delivery (body) VALUES ($1)", body)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	bot := &testBot{t: b} // only for its event builder
	client := loadClient()

	var lat []time.Duration
	var non2xx, failed int
	var cpu cpuUse
	// Open the clients' and the pool's connections first.
	if r := fire(ctx, client, srv.URL, loadEvents(bot, 99, 4*loadClients)); r.non2xx+r.failed > 0 {
		b.Fatalf("warm-up: %d non-2xx, %d failed requests", r.non2xx, r.failed)
	}
	b.ResetTimer()
	for round := range b.N {
		bodies := loadEvents(bot, round, events)
		cpu0 := sampleCPU(db.Name)
		r := fire(ctx, client, srv.URL, bodies)
		cpu.add(cpu0, sampleCPU(db.Name))
		lat = append(lat, r.latencies...)
		non2xx += r.non2xx
		failed += r.failed
	}
	reportAcks(b, lat, non2xx, failed, cpu, "bare net/http + pgx, one row committed")
}

// BenchmarkQuestionsPerMinute fires distinct questions (each one SQL tool
// call then an answer, every model turn 2 s) and waits until every thread
// has its answer in the fake Slack. Work is bounded by WORKERS: a question
// holds a worker for two model turns, so the ceiling is
// WORKERS × 60 s / 4 s a minute (1,500 at the default 100). Goal: at least
// 1,500 a minute.
func BenchmarkQuestionsPerMinute(b *testing.B) {
	const questions = 1000
	if testing.Short() {
		b.Skip("load benchmark: boots the whole bot and answers a thousand questions")
	}
	for _, workers := range []int{100, 200} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			logs := &logTally{}
			bot := newTestBot(quietTB{TB: b, logs: logs}, botOptions{env: map[string]string{"WORKERS": strconv.Itoa(workers)}})
			bot.model.Handle(loadModel)
			bot.model.SetDelay(loadModelDelay)
			client := loadClient()
			ctx := context.Background()

			var elapsed time.Duration
			var cpu cpuUse
			var ownerUse, readonlyUse poolUse
			b.ResetTimer()
			for round := range b.N {
				b.StopTimer()
				bodies := loadEvents(bot, round, questions)
				b.StartTimer()

				start, cpu0 := time.Now(), sampleCPU(bot.db.Name)
				stopOwner, stopReadonly := watchPool(&ownerUse, bot.srv.owner), watchPool(&readonlyUse, bot.srv.readonly)
				if r := fire(ctx, client, bot.url, bodies); r.non2xx+r.failed > 0 {
					b.Fatalf("%d non-2xx, %d failed requests", r.non2xx, r.failed)
				}
				waitUntil(b, 5*time.Minute, fmt.Sprintf("all %d questions are answered", questions), func() bool {
					return answered(bot.slack, round) >= questions
				})
				elapsed += time.Since(start)
				stopOwner()
				stopReadonly()
				cpu.add(cpu0, sampleCPU(bot.db.Name))
			}
			b.StopTimer()

			perMinute := float64(b.N*questions) / elapsed.Minutes()
			ceiling := float64(workers) * time.Minute.Seconds() / (2 * loadModelDelay.Seconds())
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(perMinute, "questions/min")
			b.Logf("%d questions answered in %v with %d workers and a %v model turn: %.0f questions/min (ceiling %.0f/min, %.0f%% of it)",
				b.N*questions, elapsed.Round(time.Millisecond), workers, loadModelDelay, perMinute, ceiling, 100*perMinute/ceiling)
			b.Logf("while measuring: %s", cpu)
			logPoolStats(b, bot.srv, &ownerUse, &readonlyUse)
			logs.report(b)
		})
	}
}

// BenchmarkServeFootprint builds the real binary, runs `serve` against a
// migrated database and the fakes, and reports the time from process start
// to the first /readyz 200 (goal: under 500 ms) and the resident memory
// after three idle seconds (goal: under 40 MB).
func BenchmarkServeFootprint(b *testing.B) {
	if testing.Short() {
		b.Skip("load benchmark: builds the binary and runs serve")
	}
	bin := filepath.Join(b.TempDir(), "analytics-bot")
	if out, err := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	bot := newTestBot(quietTB{TB: b, logs: &logTally{}}, botOptions{noStart: true})

	var ready time.Duration
	var mem procMemory
	b.ResetTimer()
	for range b.N {
		r, m := runServeOnce(b, bin, bot.env)
		ready += r
		mem.add(m)
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(ready.Milliseconds())/n, "ready-ms")
	b.ReportMetric(mem.rssKB/1024/n, "idle-rss-MB")
	b.Logf("serve: /readyz 200 after %.0f ms; after 3 s idle VmRSS %.1f MB (anonymous %.1f MB, file-backed %.1f MB), VmHWM %.1f MB, %0.f threads",
		float64(ready.Milliseconds())/n, mem.rssKB/1024/n, mem.anonKB/1024/n, mem.fileKB/1024/n, mem.hwmKB/1024/n, mem.threads/n)
	b.Logf("largest resident mappings: %s", mem.mappings)
}

// runServeOnce starts `serve`, polls /readyz from the moment the process
// starts, idles three seconds, reads its memory and stops it.
func runServeOnce(b *testing.B, bin string, botEnv map[string]string) (time.Duration, procMemory) {
	port := freePort(b)
	environ := []string{"PORT=" + strconv.Itoa(port)}
	for k, v := range botEnv {
		if k != "PORT" {
			environ = append(environ, k+"="+v)
		}
	}
	var output bytes.Buffer
	cmd := exec.Command(bin, "serve")
	cmd.Env = environ // nothing from this process: no OTEL_* or LOGFIRE_TOKEN leaks in
	cmd.Stdout, cmd.Stderr = &output, &output

	readyz := "http://127.0.0.1:" + strconv.Itoa(port) + "/readyz"
	poll := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatalf("start serve: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	var ready time.Duration
	for ready == 0 {
		if resp, err := poll.Get(readyz); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ready = time.Since(start)
				continue
			}
		}
		select {
		case err := <-exited:
			b.Fatalf("serve exited before it was ready: %v\n%s", err, output.String())
		case <-time.After(time.Millisecond):
		}
		if time.Since(start) > 30*time.Second {
			stop()
			b.Fatalf("serve not ready after 30 s\n%s", output.String())
		}
	}
	poll.CloseIdleConnections()
	time.Sleep(3 * time.Second)
	mem, err := readProcMemory(cmd.Process.Pid)
	if err == nil {
		mem.mappings, err = largestMappings(cmd.Process.Pid, 4)
	}
	stop()
	if err != nil {
		b.Fatal(err)
	}
	return ready, mem
}

// procMemory is what /proc says about a process's memory, in kB.
type procMemory struct {
	rssKB, anonKB, fileKB, hwmKB, threads float64
	// mappings names the largest resident mappings (of the last run).
	mappings string
}

func (m *procMemory) add(o procMemory) {
	m.rssKB += o.rssKB
	m.anonKB += o.anonKB
	m.fileKB += o.fileKB
	m.hwmKB += o.hwmKB
	m.threads += o.threads
	m.mappings = o.mappings
}

func readProcMemory(pid int) (procMemory, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return procMemory{}, fmt.Errorf("read memory of serve: %w", err)
	}
	defer f.Close()
	fields := map[string]*float64{}
	var m procMemory
	fields["VmRSS"], fields["RssAnon"], fields["RssFile"], fields["VmHWM"], fields["Threads"] = &m.rssKB, &m.anonKB, &m.fileKB, &m.hwmKB, &m.threads
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if p := fields[name]; ok && p != nil {
			*p, _ = strconv.ParseFloat(strings.Fields(rest)[0], 64)
		}
	}
	if m.rssKB == 0 {
		return m, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return m, sc.Err()
}

// largestMappings sums resident memory by mapping in /proc/<pid>/smaps
// (the binary's text, its read-only data, the Go heap…) and names the n
// largest, to show what dominates.
func largestMappings(pid, n int) (string, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/smaps")
	if err != nil {
		return "", fmt.Errorf("read mappings of serve: %w", err)
	}
	defer f.Close()
	rss := map[string]float64{}
	var current string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-"): // "ADDRESSES PERMISSIONS OFFSET DEVICE INODE [PATH]"
			current = "anonymous " + fields[1]
			if len(fields) >= 6 {
				current = filepath.Base(fields[5]) + " " + fields[1]
			}
		case len(fields) == 3 && fields[0] == "Rss:":
			kb, _ := strconv.ParseFloat(fields[1], 64)
			rss[current] += kb
		}
	}
	names := make([]string, 0, len(rss))
	for name := range rss {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return int(rss[b] - rss[a]) })
	var out []string
	for _, name := range names[:min(n, len(names))] {
		out = append(out, fmt.Sprintf("%s %.1f MB", name, rss[name]/1024))
	}
	return strings.Join(out, ", "), sc.Err()
}

func freePort(b *testing.B) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

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
		bodies[i] = bot.event(mention(fmt.Sprintf("%s what was DAU by platform yesterday?", questionTag(batch, i)), ts, ""))
	}
	return bodies
}

// questionTag names a question in its text, so its answer can be found.
func questionTag(batch, i int) string { return fmt.Sprintf("[b%d q%d]", batch, i) }

// answered counts the threads of a batch whose placeholder has been
// replaced by the final answer.
func answered(s *fake.Slack, batch int) int {
	batchTag := fmt.Sprintf("[b%d q", batch)
	n := 0
	for _, m := range s.Messages() {
		if strings.Contains(m.Text, loadMarker) && strings.Contains(m.Text, batchTag) {
			n++
		}
	}
	return n
}

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

// reportAcks reports the acknowledgement latencies of a benchmark.
func reportAcks(b *testing.B, lat []time.Duration, non2xx, failed int, cpu cpuUse, what string) {
	b.StopTimer()
	if len(lat) == 0 {
		b.Fatalf("no request was answered (%d transport errors)", failed)
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	p50, p95, p99, worst := ms(percentile(lat, 0.50)), ms(percentile(lat, 0.95)), ms(percentile(lat, 0.99)), ms(lat[len(lat)-1])
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(p50, "p50-ms")
	b.ReportMetric(p95, "p95-ms")
	b.ReportMetric(p99, "p99-ms")
	b.ReportMetric(worst, "max-ms")
	b.ReportMetric(float64(non2xx+failed), "non2xx")
	b.ReportMetric(float64(len(lat))/cpu.wall.Seconds(), "acks/s")
	b.Logf("ack latency of %s, %d events from %d clients: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; %d non-2xx, %d transport errors; %.0f acks/s",
		what, len(lat), loadClients, p50, p95, p99, worst, non2xx, failed, float64(len(lat))/cpu.wall.Seconds())
	b.Logf("while measuring: %s", cpu)
}

// urlVerifications are n url_verification deliveries, which the bot
// answers without queueing anything.
func urlVerifications(n int) [][]byte {
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = []byte(`{"token":"legacy","type":"url_verification","challenge":"warm-up"}`)
	}
	return bodies
}

// firePaced delivers the bodies one at a time, evenly spaced, and returns
// how many failed or got a non-2xx.
func firePaced(ctx context.Context, client *http.Client, baseURL string, bodies [][]byte, every time.Duration) int {
	start := time.Now()
	var res fireResult
	for i, body := range bodies {
		time.Sleep(time.Until(start.Add(time.Duration(i) * every)))
		res.add(deliver(ctx, client, baseURL, body))
	}
	return res.non2xx + res.failed
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

func waitUntil(b *testing.B, timeout time.Duration, what string, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out after %v waiting until %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cpuSample is CPU time so far, in clock ticks: the machine's (from
// /proc/stat), this process's, and that of the PostgreSQL processes that
// serve the test database or the whole server (WAL writer, checkpointer…).
// Figures mean little when other work competes for the two cores, so the
// reports say how much did.
type cpuSample struct {
	at                time.Time
	busy, total, self float64
	postgres          map[int]float64
}

func sampleCPU(database string) cpuSample {
	s := cpuSample{at: time.Now(), postgres: map[int]float64{}}
	if data, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(data), "\n")
		for i, f := range strings.Fields(line)[1:] {
			v, _ := strconv.ParseFloat(f, 64)
			s.total += v
			if i != 3 && i != 4 { // idle, iowait
				s.busy += v
			}
		}
	}
	s.self = procTicks("self")
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		// "postgres: [CLUSTER: ]USER DATABASE HOST(PORT) STATE" for a
		// backend, "postgres: [CLUSTER: ]walwriter" for a server process.
		cmdline, err := os.ReadFile("/proc/" + p.Name() + "/cmdline")
		title, ok := bytes.CutPrefix(cmdline, []byte("postgres: "))
		if err != nil || !ok {
			continue
		}
		fields := strings.Fields(string(bytes.ReplaceAll(title, []byte{0}, []byte{' '})))
		if len(fields) > 0 && strings.HasSuffix(fields[0], ":") {
			fields = fields[1:]
		}
		backend := len(fields) >= 3 && (strings.HasSuffix(fields[2], ")") || fields[2] == "[local]")
		if !backend || fields[1] == database {
			s.postgres[pid] = procTicks(p.Name())
		}
	}
	return s
}

// procTicks is the user and system CPU time of a process, in clock ticks.
func procTicks(pid string) float64 {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	_, rest, _ := bytes.Cut(data, []byte(") ")) // after the command name
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return utime + stime
}

// cpuUse accumulates CPU use over measured intervals, in clock ticks, and
// their duration.
type cpuUse struct {
	busy, total, self, postgres float64
	wall                        time.Duration
}

func (u *cpuUse) add(from, to cpuSample) {
	u.wall += to.at.Sub(from.at)
	u.busy += to.busy - from.busy
	u.total += to.total - from.total
	u.self += to.self - from.self
	for pid, t := range to.postgres {
		u.postgres += t - from.postgres[pid] // a backend that started meanwhile counts whole
	}
}

func (u cpuUse) String() string {
	if u.total == 0 {
		return "CPU use unknown"
	}
	pct := func(ticks float64) float64 { return 100 * ticks / u.total }
	load, _ := os.ReadFile("/proc/loadavg")
	return fmt.Sprintf("the %d cores were %.0f%% busy: this test process (bot, fakes, clients) %.0f%%, PostgreSQL for this test %.0f%%, everything else on the machine %.0f%%; load average %s",
		runtime.NumCPU(), pct(u.busy), pct(u.self), pct(u.postgres), max(0, pct(u.busy-u.self-u.postgres)), strings.Join(strings.Fields(string(load))[:3], " "))
}

// poolUse samples how many of a pool's connections are in use.
type poolUse struct {
	mu           sync.Mutex
	samples, sum int
	most, full   int
}

// watchPool samples pool every millisecond until the returned func is called.
func watchPool(u *poolUse, pool *pgxpool.Pool) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			st := pool.Stat()
			u.mu.Lock()
			u.samples++
			u.sum += int(st.AcquiredConns())
			u.most = max(u.most, int(st.AcquiredConns()))
			if st.AcquiredConns() >= st.MaxConns() {
				u.full++
			}
			u.mu.Unlock()
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

func (u *poolUse) String() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.samples == 0 {
		return "not sampled"
	}
	return fmt.Sprintf("%.1f in use on average, at most %d, all %.0f%% of the time",
		float64(u.sum)/float64(u.samples), u.most, 100*float64(u.full)/float64(u.samples))
}

// logPoolStats shows whether the connection pools were a bottleneck:
// their use while measuring, and how often an acquire found no idle
// connection (and waited for one, or for a new one) over the whole run.
func logPoolStats(b *testing.B, srv *server, owner, readonly *poolUse) {
	for _, p := range []struct {
		name string
		pool *pgxpool.Pool
		use  *poolUse
	}{{"owner", srv.owner, owner}, {"readonly", srv.readonly, readonly}} {
		st := p.pool.Stat()
		b.Logf("%s pool of %d: while measuring %s; over the run %d acquires, %.0f%% found no idle connection, %v acquiring in all",
			p.name, st.MaxConns(), p.use, st.AcquireCount(),
			100*float64(st.EmptyAcquireCount())/float64(max(st.AcquireCount(), 1)), st.AcquireDuration().Round(time.Millisecond))
	}
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
