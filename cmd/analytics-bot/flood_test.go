package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

// Markers in the questions and answers of the flood tests.
const (
	floodTag     = "FLOOD"
	victimTag    = "VICTIM"
	floodAnswer  = "FLOOD-ANSWER"
	victimAnswer = "VICTIM-ANSWER"
	// slowSQL runs until the statement timeout stops it.
	slowSQL = "SELECT count(*) FROM generate_series(1, 1000000000000) g"
)

// floodModel plays a prompt-injected model for the flooding user: each
// of its first turns turns asks for calls slow queries at once. Every
// other question gets one quick query and an answer.
func floodModel(turns, calls int) func(fake.ChatRequest) fake.Response {
	return func(req fake.ChatRequest) fake.Response {
		q := req.LastUserMessage()
		if strings.Contains(q, floodTag) && len(req.ToolResults()) < turns*calls {
			batch := make([]fake.ToolCall, calls)
			for i := range batch {
				batch[i] = fake.CallTool("run_readonly_sql", map[string]string{"sql": slowSQL})
			}
			return fake.CallTools(batch...)
		}
		if len(req.ToolResults()) == 0 {
			return fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": platformSQL}))
		}
		if strings.Contains(q, floodTag) {
			return fake.Reply(floodAnswer + " " + q)
		}
		return fake.Reply(victimAnswer + " " + q)
	}
}

// userMention is an app_mention from user in channel.
func userMention(user, channel, text, ts string) map[string]any {
	return map[string]any{"type": "app_mention", "user": user, "text": "<@UBOT> " + text, "ts": ts, "channel": channel, "event_ts": ts}
}

func TestOneUsersQuestionsBeyondTheCapWaitWithANote(t *testing.T) {
	t.Parallel()
	bot := newTestBot(t, botOptions{env: map[string]string{"MAX_QUESTIONS_PER_USER": "1", "QUERY_TIMEOUT": "1s"}})
	bot.model.Handle(floodModel(1, 1))
	for i := range 3 {
		bot.sendEvent(userMention("UFLOOD1", "C100", fmt.Sprintf("%s question %d", floodTag, i), fmt.Sprintf("1700000%03d.000100", i)))
	}
	bot.sendEvent(userMention("UOTHER1", "C200", victimTag+" question", "1700000999.000100"))

	bot.waitForText("C200", "1700000999.000100", victimAnswer)
	bot.slack.WaitFor(t, 30*time.Second, func(s *fake.Slack) bool {
		return slices.ContainsFunc(s.Messages(), func(m fake.Message) bool {
			return m.Ephemeral && m.User == "UFLOOD1" && strings.Contains(m.Text, "in progress")
		})
	})
	for i := range 3 {
		bot.waitForText("C100", fmt.Sprintf("1700000%03d.000100", i), floodAnswer)
	}
	for _, m := range bot.slack.Messages() {
		if m.Ephemeral && m.User != "UFLOOD1" {
			t.Errorf("another user got a queue note: %+v", m)
		}
	}
}

// BenchmarkFloodDelay measures what one user's flood costs another user:
// the time from a question to its answer for a user in another channel,
// alone and while one user has 15 questions in flight, each of whose
// model turns asks for 40 queries that run until the statement timeout.
// It prints the added delay (goal: under 2 s) for the default per-user
// cap and, for comparison, with the cap effectively off.
//
//	go test -run '^$' -bench FloodDelay -benchtime 1x -timeout 20m ./cmd/analytics-bot/
func BenchmarkFloodDelay(b *testing.B) {
	if testing.Short() {
		b.Skip("load benchmark: boots the whole bot and floods it")
	}
	for _, perUser := range []int{2, 1000} {
		b.Run("max_questions_per_user="+strconv.Itoa(perUser), func(b *testing.B) {
			bot := newTestBot(quietTB{TB: b, logs: &logTally{}}, botOptions{env: map[string]string{
				"MAX_QUESTIONS_PER_USER": strconv.Itoa(perUser), "QUERY_TIMEOUT": "3s", "WORKERS": "32",
			}})
			bot.model.Handle(floodModel(2, 40))
			bot.model.SetDelay(200 * time.Millisecond)
			victim := func(round, i int) time.Duration {
				ts := fmt.Sprintf("17%02d%04d99.000100", round, i)
				start := time.Now()
				bot.sendEvent(userMention("UVICTIM", "C200", fmt.Sprintf("%s %d %d", victimTag, round, i), ts))
				bot.slack.WaitFor(b, 5*time.Minute, func(s *fake.Slack) bool {
					for _, m := range threadMessages(s, "C200", ts) {
						if strings.Contains(m.Text, victimAnswer) {
							return true
						}
					}
					return false
				})
				return time.Since(start)
			}
			var alone, flooded []time.Duration
			b.ResetTimer()
			for round := range b.N {
				for i := range 3 {
					alone = append(alone, victim(round, i))
				}
				for i := range 15 {
					bot.sendEvent(userMention("UFLOOD", "C100", fmt.Sprintf("%s %d %d", floodTag, round, i), fmt.Sprintf("18%02d%04d.000100", round, i)))
				}
				time.Sleep(3 * time.Second) // the flood is under way
				for i := range 3 {
					flooded = append(flooded, victim(round, 10+i))
				}
			}
			b.StopTimer()
			median := func(d []time.Duration) time.Duration {
				s := slices.Clone(d)
				slices.Sort(s)
				return s[len(s)/2]
			}
			added := median(flooded) - median(alone)
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(added.Seconds(), "added-s")
			b.Logf("another user's question: alone median %v (max %v); during a 15-question flood median %v (max %v); added %v",
				median(alone).Round(time.Millisecond), slices.Max(alone).Round(time.Millisecond),
				median(flooded).Round(time.Millisecond), slices.Max(flooded).Round(time.Millisecond), added.Round(time.Millisecond))
		})
	}
}
