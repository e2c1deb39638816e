package main

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

// An hourly series of 40 points fits no native chart (at most 20
// categories, and hours are not averaged), so it is uploaded as a picture.
func TestSeriesTooLongForANativeChartPostsAPicture(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"CHARTS": "true"}})
	scriptSQLAnswer(b.model, "SELECT h AS hour, extract(hour FROM h)::int AS events FROM generate_series(timestamptz '2026-01-01 00:00Z', timestamptz '2026-01-02 15:00Z', interval '1 hour') h", "Events per hour are growing.")
	b.sendEvent(mention("events per hour", "1700000100.000100", ""))
	b.waitForText("C100", "1700000100.000100", "growing")

	var chart fake.File
	b.slack.WaitFor(t, 20*time.Second, func(s *fake.Slack) bool {
		for _, f := range s.Files() {
			if strings.HasSuffix(f.Name, ".png") && f.ThreadTS == "1700000100.000100" {
				chart = f
				return true
			}
		}
		return false
	})
	img, err := png.Decode(bytes.NewReader(chart.Content))
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	if size := img.Bounds().Size(); size.X != 1200 || size.Y != 600 {
		t.Errorf("chart size = %v, want 1200×600", size)
	}
}

func TestSingleValuePostsNoChart(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"CHARTS": "true"}})
	scriptSQLAnswer(b.model, "SELECT sum(dau) AS dau FROM app_metrics", "Total: many.")
	b.sendEvent(mention("total dau", "1700000200.000100", ""))
	b.waitForText("C100", "1700000200.000100", "Total: many.")
	waitJobsCompleted(t, b, 1) // the chart would be posted before the job completes
	for _, f := range b.slack.Files() {
		if strings.HasSuffix(f.Name, ".png") {
			t.Errorf("a single value got a chart: %s", f.Name)
		}
	}
}

func TestChartsSettingTurnsChartsOff(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"CHARTS": "false"}})
	scriptSQLAnswer(b.model, "SELECT day, sum(dau) AS dau FROM app_metrics GROUP BY day ORDER BY day", "A trend.")
	b.sendEvent(mention("daily dau", "1700000300.000100", ""))
	b.waitForText("C100", "1700000300.000100", "A trend.")
	waitJobsCompleted(t, b, 1)
	if files := b.slack.Files(); len(files) != 0 {
		t.Errorf("CHARTS=false still posted %d file(s)", len(files))
	}
}

// waitJobsCompleted waits until n Slack jobs have finished.
func waitJobsCompleted(t *testing.T, b *testBot, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var done int
		if err := b.db.Pool.QueryRow(t.Context(), "SELECT count(*) FROM analytics_bot.river_job WHERE kind = 'slack_work' AND state = 'completed'").Scan(&done); err != nil {
			t.Fatal(err)
		}
		if done >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d jobs completed", done, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
