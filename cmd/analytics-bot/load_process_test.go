package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/config"
)

// BenchmarkAckLoadProcesses measures acknowledgements as a deployment sees
// them: the binary, built as deploy/release.sh builds it, runs `serve`
// with its default WORKERS (ACKLOAD_WORKERS sets another) as its own
// process, the load generator (cmd/ackload fire: 2,000 signed app_mention
// events from 32 clients) is another process, and the floor (cmd/ackload floor: net/http,
// v0 signature, one INSERT … ON CONFLICT DO NOTHING committed with pgx, 200)
// is a third, on the same database server in the same run. Two cases:
// answers in flight (every worker busy with a 2 s model) and a model that
// never answers during the run. Every event comes from a user of its own
// (ACKLOAD_USERS=1 sends one user's flood instead: MAX_QUESTIONS_PER_USER
// then lets two questions run and the rest wait in line, most of them
// stored waiting as they arrive, so no other worker is busy with an
// answer). It prints p50/p99/max of both and the ratio of the p99s (goal:
// at most 1.5).
//
//	go test -run '^$' -bench AckLoadProcesses -benchtime 1x -timeout 20m ./cmd/analytics-bot/
func BenchmarkAckLoadProcesses(b *testing.B) {
	if testing.Short() {
		b.Skip("load benchmark: builds the binary and runs three processes")
	}
	dir := b.TempDir()
	botBin, loadBin := filepath.Join(dir, "analytics-bot"), filepath.Join(dir, "ackload")
	buildAsReleased(b, botBin, ".")
	buildAsReleased(b, loadBin, "../ackload")
	workers := envInt("ACKLOAD_WORKERS", config.DefaultWorkers()) // serve's default
	events := envInt("ACKLOAD_EVENTS", 2000)
	users := envInt("ACKLOAD_USERS", 0) // 0: a user of its own for every event
	bot := newTestBot(quietTB{TB: b, logs: &logTally{}}, botOptions{noStart: true, env: map[string]string{"WORKERS": strconv.Itoa(workers)}})
	bot.model.Handle(loadModel)
	// ACKLOAD_BOT_ENV="GOGC=off,GOMAXPROCS=1" varies the bot's runtime for experiments.
	for _, kv := range strings.Split(os.Getenv("ACKLOAD_BOT_ENV"), ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			bot.env[k] = v
		}
	}
	botURL := startProcess(b, botBin, []string{"serve"}, bot.env, "")
	floorURL := startProcess(b, loadBin, []string{"floor", "--dsn", bot.db.DSN(), "--secret", testSigningSecret}, nil, "listening on ")

	batch := 0
	fireAt := func(url string, n, users int) ackSummary {
		batch++
		out, err := exec.Command(loadBin, "fire", "--url", url, "--secret", testSigningSecret, "--users", strconv.Itoa(users),
			"--events", strconv.Itoa(n), "--clients", strconv.Itoa(loadClients), "--batch", strconv.Itoa(batch)).Output()
		if err != nil {
			b.Fatalf("ackload fire: %v", err)
		}
		var s ackSummary
		if err := json.Unmarshal(out, &s); err != nil {
			b.Fatalf("ackload fire printed %q: %v", out, err)
		}
		if s.Non2xx+s.Failed > 0 {
			b.Errorf("%s: %d non-2xx, %d failed", url, s.Non2xx, s.Failed)
		}
		return s
	}
	b.ResetTimer()
	for range b.N {
		for _, c := range []struct {
			name  string
			key   string
			delay time.Duration
		}{{"answers in flight (2 s model)", "busy", loadModelDelay}, {"model never answers during the run", "silent", time.Hour}} {
			bot.model.SetDelay(c.delay)
			fireAt(botURL, workers, users) // every worker busy before the measured events
			floor := fireAt(floorURL, events, users)
			ack := fireAt(botURL, events, users)
			ratio := ack.P99MS / floor.P99MS
			b.Logf("%s: bot p50 %.1f ms, p99 %.1f ms, max %.1f ms | floor p50 %.1f ms, p99 %.1f ms, max %.1f ms | p99 ratio %.2f (goal ≤ 1.5)",
				c.name, ack.P50MS, ack.P99MS, ack.MaxMS, floor.P50MS, floor.P99MS, floor.MaxMS, ratio)
			b.ReportMetric(ack.P99MS, c.key+"-bot-p99-ms")
			b.ReportMetric(floor.P99MS, c.key+"-floor-p99-ms")
			b.ReportMetric(ratio, c.key+"-p99-ratio")
		}
	}
}

// ackSummary is what `ackload fire` prints.
type ackSummary struct {
	P50MS  float64 `json:"p50_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
	Non2xx int     `json:"non2xx"`
	Failed int     `json:"failed"`
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// startProcess runs bin with args in its own process and returns its base
// URL: from the first stdout line after urlPrefix, or, when urlPrefix is
// empty, on a free PORT once /readyz answers. The process is killed when
// the benchmark ends.
func startProcess(b *testing.B, bin string, args []string, env map[string]string, urlPrefix string) string {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	url := ""
	if urlPrefix == "" {
		port := freePort(b)
		url = "http://127.0.0.1:" + strconv.Itoa(port)
		cmd.Env = append(cmd.Env, "PORT="+strconv.Itoa(port))
	}
	for k, v := range env {
		if k != "PORT" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Stderr = io.Discard // the bot's JSON logs; the figures come from the load generator
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("start %s: %v", bin, err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	if urlPrefix != "" {
		for lines.Scan() {
			if u, ok := strings.CutPrefix(lines.Text(), urlPrefix); ok {
				url = u
				break
			}
		}
		if url == "" {
			b.Fatalf("%s %v printed no URL", bin, args)
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	poll := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if urlPrefix != "" {
			return url
		}
		if resp, err := poll.Get(url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
	}
	b.Fatalf("%s not ready after 60 s", bin)
	return ""
}
