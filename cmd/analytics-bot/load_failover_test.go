package main

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkFailover runs two real `serve` processes on one database, puts
// 40 questions in flight on one of them (each in its first model turn),
// kills that one with SIGKILL and reports the time from the kill until the
// other has started every question again and until it has answered the
// last of them (the model answers at once after the kill, so the figure
// is the failover itself). Goal: under 20 s; River's stuck-job rescue
// alone took 152 s.
//
//	go test -run '^$' -bench Failover -benchtime 1x ./cmd/analytics-bot/
func BenchmarkFailover(b *testing.B) {
	const questions = 40
	if testing.Short() {
		b.Skip("load benchmark: runs two serve processes and kills one")
	}
	var toPickup, toAnswer []time.Duration
	for range b.N {
		b.StopTimer()
		bot := newTestBot(quietTB{TB: b, logs: &logTally{}}, botOptions{noStart: true, env: map[string]string{"WORKERS": "50"}})
		for range questions {
			bot.model.Script(slowly(sqlTurn()))
		}
		bot.model.Handle(loadModel)
		doomed := bot.startServe()
		if r := fire(context.Background(), loadClient(), doomed.url, loadEvents(bot, 0, questions)); r.non2xx+r.failed > 0 {
			b.Fatalf("%d non-2xx, %d failed requests", r.non2xx, r.failed)
		}
		waitUntil(b, time.Minute, "every question is in its first model turn", func() bool {
			return len(bot.model.Requests()) >= questions
		})
		survivor := bot.startServe()

		b.StartTimer()
		doomed.kill()
		killed := time.Now()
		waitUntil(b, 5*time.Minute, "the survivor has answered every question", func() bool {
			return answered(bot.slack, 0) >= questions
		})
		toAnswer = append(toAnswer, time.Since(killed))
		b.StopTimer()

		var lastPickup time.Time
		if err := bot.db.Pool.QueryRow(context.Background(),
			"SELECT max(attempted_at) FROM analytics_bot.river_job WHERE kind = 'slack_work' AND attempt = 2").Scan(&lastPickup); err != nil {
			b.Fatal(err)
		}
		toPickup = append(toPickup, lastPickup.Sub(killed))
		survivor.kill() // its connections, before the next round opens more
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(medianDuration(toPickup).Seconds(), "s-to-last-pickup")
	b.ReportMetric(medianDuration(toAnswer).Seconds(), "s-to-last-answer")
	b.Logf("%d questions in flight on a serve killed with SIGKILL: the other serve started the last of them %.1f s and answered it %.1f s after the kill (median of %d)",
		questions, medianDuration(toPickup).Seconds(), medianDuration(toAnswer).Seconds(), b.N)
}

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
