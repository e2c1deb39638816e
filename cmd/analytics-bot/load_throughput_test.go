package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/fake"
)

// BenchmarkQuestionsPerMinute fires distinct questions (each one SQL tool
// call then an answer, every model turn 2 s) and waits until every thread
// has its answer in the fake Slack. Work is bounded by WORKERS: a question
// holds a worker for two model turns, so the ceiling is
// WORKERS × 60 s / 4 s a minute (1,800 at the default, derived from the
// pool sizes: config.DefaultWorkers). Goal: at least 1,500 a minute.
func BenchmarkQuestionsPerMinute(b *testing.B) {
	const questions = 1000
	if testing.Short() {
		b.Skip("load benchmark: boots the whole bot and answers a thousand questions")
	}
	for _, workers := range []int{config.DefaultWorkers(), 200} {
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

func waitUntil(b testing.TB, timeout time.Duration, what string, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out after %v waiting until %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
