package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/pgtest"
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
