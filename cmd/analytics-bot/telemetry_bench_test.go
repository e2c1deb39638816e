package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sys/unix"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/slackbot"
	"github.com/analytics-bot/analytics-bot/telemetry"
)

// discardQueue is an in-memory Enqueuer that keeps nothing.
type discardQueue struct{ n atomic.Int64 }

func (q *discardQueue) Enqueue(context.Context, slackbot.Work) error {
	q.n.Add(1)
	return nil
}

// ackHandler is the HTTP side of serve as newServer wires it (telemetry,
// middleware, handler), queueing into q, or into River on db when q is nil.
func ackHandler(b *testing.B, traced bool, q slackbot.Enqueuer, db *pgtest.DB) http.Handler {
	b.Helper()
	ctx := context.Background()
	vars := map[string]string{}
	if traced {
		// A collector that discards: the exporter still encodes, gzips and
		// posts every batch, off the request path, as it would to Logfire.
		sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/x-protobuf")
		}))
		b.Cleanup(sink.Close)
		vars["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.URL
	}
	cfg := &config.Config{ProjectName: "analytics-bot", LogfireServiceName: "analytics-bot"}
	tel, metrics, err := setupTelemetry(ctx, cfg, env{lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	if q == nil {
		pcfg, err := pgxpool.ParseConfig(db.DSN())
		if err != nil {
			b.Fatal(err)
		}
		pcfg.ConnConfig.Tracer = telemetry.PGXTracer(tel.TracerProvider())
		pool, err := pgxpool.NewWithConfig(ctx, pcfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pool.Close)
		queue, err := slackbot.NewQueue(pool, slackbot.QueueOptions{Plugins: telemetry.RiverPlugins(tel.TracerProvider(), tel.MeterProvider())})
		if err != nil {
			b.Fatal(err)
		}
		q = queue
	}
	d := slackbot.NewDispatcher(q, slackbot.Identity{UserID: "UBOT", BotID: "BBOT"}, slackbot.Allowlist{}, nil)
	return slackbot.NewHandler(slackbot.ServerOptions{SigningSecret: testSigningSecret, Dispatcher: d,
		Middleware: httpMiddleware(cfg, tel, metrics)})
}

// mentionEvent is a signed-ready app_mention delivery with its own ts.
func mentionEvent(b *testing.B, channel string, n int) []byte {
	ts := fmt.Sprintf("1700002000.%06d", n)
	body, err := json.Marshal(map[string]any{
		"token": "legacy", "team_id": "T0001", "api_app_id": "A1", "type": "event_callback",
		"event_id": "EvBench" + channel + ts, "event_time": 1700002000,
		"event": map[string]any{"type": "app_mention", "user": "U123", "text": "<@UBOT> what was DAU yesterday?",
			"ts": ts, "channel": channel, "event_ts": ts},
	})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// ack sends one signed delivery through h in-process and returns how long
// the handler took: wall-clock time, and the CPU time of the thread that
// ran it (the goroutine is locked to its thread meanwhile), which a busy
// machine does not inflate. Work the exporter does in the background is
// not in either.
func ack(b *testing.B, h http.Handler, body []byte) cost {
	req := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	sign(req, body, testSigningSecret, time.Now())
	w := httptest.NewRecorder()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0, start := threadCPU(b), time.Now()
	h.ServeHTTP(w, req)
	c := cost{wall: time.Since(start), cpu: threadCPU(b) - cpu0}
	if w.Code != http.StatusOK {
		b.Fatalf("ack: status %d: %s", w.Code, w.Body)
	}
	return c
}

// threadCPU is the CPU time the calling thread has used.
func threadCPU(b *testing.B) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		b.Fatalf("thread CPU clock: %v", err)
	}
	return time.Duration(ts.Nano())
}

// cost is what one run of a benchmarked operation took.
type cost struct{ wall, cpu time.Duration }

// BenchmarkAckPath measures acknowledging a signed app_mention in-process
// (verify → parse → dispatch → enqueue → 200) with telemetry off (no
// endpoint: what serve does without LOGFIRE_TOKEN) and on (every span
// sampled and batched to an OTLP collector), enqueuing into memory and
// into River on PostgreSQL. Off and on take turns request by request so a
// busy machine slows them alike; each reports its median as <mode>-ns/ack
// and on's overhead as a percentage. Goal: under 5% on the ack path.
func BenchmarkAckPath(b *testing.B) {
	b.Run("queue=memory", func(b *testing.B) {
		body := mentionEvent(b, "C100", 1) // same body each time: the queue keeps nothing
		off, on := ackHandler(b, false, &discardQueue{}, nil), ackHandler(b, true, &discardQueue{}, nil)
		interleaveVariants(b, "ack", []traceVariant{
			{"off", func() cost { return ack(b, off, body) }},
			{"on", func() cost { return ack(b, on, body) }},
		})
	})
	b.Run("queue=river", func(b *testing.B) {
		db := pgtest.NewMigrated(b)
		off, on := ackHandler(b, false, nil, db), ackHandler(b, true, nil, db)
		n := 0
		next := func(channel string) []byte { n++; return mentionEvent(b, channel, n) }
		interleaveVariants(b, "ack", []traceVariant{
			{"off", func() cost { return ack(b, off, next("C1")) }},
			{"on", func() cost { return ack(b, on, next("C2")) }},
		})
	})
}

// traceVariant is one way of doing the benchmarked operation; run
// returns what the measured part took.
type traceVariant struct {
	name string
	run  func() cost
}

// interleaveVariants runs every variant once per iteration, in rotating
// order, and reports each one's median wall-clock and CPU times
// (<variant>-ns/<unit>, <variant>-cpu-ns/<unit>) and the overhead of
// every variant over the first, by both measures.
func interleaveVariants(b *testing.B, unit string, variants []traceVariant) {
	b.Helper()
	wall := make([][]time.Duration, len(variants))
	cpu := make([][]time.Duration, len(variants))
	for _, v := range variants {
		v.run() // warm up
	}
	n := 0
	for b.Loop() {
		for k := range variants {
			i := (n + k) % len(variants)
			c := variants[i].run()
			wall[i] = append(wall[i], c.wall)
			cpu[i] = append(cpu[i], c.cpu)
		}
		n++
	}
	report := func(samples [][]time.Duration, measure string) {
		medians := make([]float64, len(variants))
		for i, v := range variants {
			slices.Sort(samples[i])
			medians[i] = float64(samples[i][len(samples[i])/2].Nanoseconds())
			b.ReportMetric(medians[i], v.name+measure+"-ns/"+unit)
			if i > 0 {
				b.ReportMetric(100*(medians[i]-medians[0])/medians[0], v.name+measure+"-overhead-%")
			}
		}
	}
	report(wall, "")
	report(cpu, "-cpu")
}
