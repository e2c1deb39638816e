package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

// BenchmarkFirstOutput measures how soon a person sees the bot at work:
// the time from the acknowledgement of a mention to the first visible
// output in its thread (the stream's start; where streams are refused,
// the "Working on it…" placeholder), p50 and p99 over 200 questions
// arriving 20 a second, and the Slack API calls per answered question.
//
//	go test -run '^$' -bench FirstOutput -benchtime 1x ./cmd/analytics-bot/
func BenchmarkFirstOutput(b *testing.B) {
	const (
		questions = 200
		every     = 50 * time.Millisecond
	)
	if testing.Short() {
		b.Skip("load benchmark: boots the whole bot and answers 200 questions")
	}
	for _, refused := range []bool{false, true} {
		name := "stream"
		if refused {
			name = "streams_refused"
		}
		b.Run(name, func(b *testing.B) {
			logs := &logTally{}
			bot := newTestBot(quietTB{TB: b, logs: logs}, botOptions{env: map[string]string{"WORKERS": "100", "CHARTS": "true"}})
			bot.model.Handle(loadModel)
			bot.model.SetDelay(500 * time.Millisecond)
			if refused {
				bot.slack.RefuseStreams("method_not_supported_for_channel_type")
			}
			client := loadClient()
			var firsts []time.Duration
			calls := map[string]int{}
			var cpu cpuUse
			b.ResetTimer()
			for round := range b.N {
				b.StopTimer()
				batch := 50 + round
				bodies := loadEvents(bot, batch, questions)
				before := len(bot.slack.Calls())
				b.StartTimer()

				cpu0 := sampleCPU(bot.db.Name)
				acks := firePacedAcks(b, client, bot.url, batch, bodies, every)
				waitUntil(b, 3*time.Minute, fmt.Sprintf("all %d questions are answered", questions), func() bool {
					return finished(bot.slack, batch) >= questions
				})
				cpu.add(cpu0, sampleCPU(bot.db.Name))
				b.StopTimer()
				all := bot.slack.Calls()[before:]
				firsts = append(firsts, firstOutputs(b, all, acks)...)
				for _, c := range all {
					calls[c.Method]++
				}
				b.StartTimer()
			}
			b.StopTimer()
			slices.Sort(firsts)
			total := 0
			for _, n := range calls {
				total += n
			}
			asked := float64(b.N * questions)
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(percentile(firsts, 0.5))/1e6, "p50-ms")
			b.ReportMetric(float64(percentile(firsts, 0.99))/1e6, "p99-ms")
			b.ReportMetric(float64(total)/asked, "slack-calls/question")
			b.Logf("%s: first visible output after the ack, %d questions: p50 %v, p99 %v, max %v",
				name, len(firsts), percentile(firsts, 0.5).Round(time.Millisecond),
				percentile(firsts, 0.99).Round(time.Millisecond), firsts[len(firsts)-1].Round(time.Millisecond))
			b.Logf("Slack calls per answered question: %.2f (%s)", float64(total)/asked, perQuestion(calls, asked))
			b.Logf("while measuring: %s", cpu)
			logs.report(b)
		})
	}
}

// firePacedAcks delivers the bodies evenly spaced, each from its own
// goroutine so that a slow ack does not delay the next, and returns when
// each was acknowledged, by the thread (message ts) it starts.
func firePacedAcks(b *testing.B, client *http.Client, baseURL string, batch int, bodies [][]byte, every time.Duration) map[string]time.Time {
	var mu sync.Mutex
	acks := make(map[string]time.Time, len(bodies))
	var wg sync.WaitGroup
	start := time.Now()
	for i, body := range bodies {
		time.Sleep(time.Until(start.Add(time.Duration(i) * every)))
		wg.Go(func() {
			_, status, err := deliver(context.Background(), client, baseURL, body)
			if err != nil || status/100 != 2 {
				b.Errorf("delivery %d: status %d, %v", i, status, err)
				return
			}
			mu.Lock()
			acks[fmt.Sprintf("17%02d%06d.000100", batch, i)] = time.Now()
			mu.Unlock()
		})
	}
	wg.Wait()
	return acks
}

// firstOutputs is, per acknowledged question, the time from its ack to
// the first call that showed something in its thread.
func firstOutputs(b *testing.B, calls []fake.Call, acks map[string]time.Time) []time.Duration {
	first := map[string]time.Time{}
	for _, c := range calls {
		switch c.Method {
		case "chat.startStream", "chat.postMessage", "assistant.threads.setStatus":
		default:
			continue
		}
		if c.Error != "" {
			continue
		}
		thread := c.Params.Get("thread_ts")
		if at, ok := first[thread]; !ok || c.At.Before(at) {
			first[thread] = c.At
		}
	}
	out := make([]time.Duration, 0, len(acks))
	for thread, ack := range acks {
		at, ok := first[thread]
		if !ok {
			b.Errorf("thread %s never showed anything", thread)
			continue
		}
		out = append(out, max(at.Sub(ack), 0))
	}
	return out
}

// finished counts the batch's answers that are complete: the marker is
// there and the message is not streaming any more.
func finished(s *fake.Slack, batch int) int {
	tag := fmt.Sprintf("[b%d q", batch)
	n := 0
	for _, m := range s.Messages() {
		if !m.Streaming && strings.Contains(m.Text, loadMarker) && strings.Contains(m.Text, tag) {
			n++
		}
	}
	return n
}

// perQuestion lists the calls per question by method.
func perQuestion(calls map[string]int, questions float64) string {
	methods := make([]string, 0, len(calls))
	for m := range calls {
		methods = append(methods, m)
	}
	sort.Strings(methods)
	parts := make([]string, len(methods))
	for i, m := range methods {
		parts[i] = fmt.Sprintf("%s %.2f", m, float64(calls[m])/questions)
	}
	return strings.Join(parts, ", ")
}
