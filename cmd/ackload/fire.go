package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Summary is what fire prints: the acknowledgement latency of every event.
type Summary struct {
	Events int     `json:"events"`
	P50MS  float64 `json:"p50_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
	Non2xx int     `json:"non2xx"`
	Failed int     `json:"failed"`
}

func runFire(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fire", flag.ContinueOnError)
	url := fs.String("url", "", "base URL of the endpoint (events go to URL/slack/events)")
	secret := fs.String("secret", "", "Slack signing secret")
	events := fs.Int("events", 2000, "events to send")
	clients := fs.Int("clients", 32, "concurrent clients")
	batch := fs.Int("batch", 0, "number that makes this run's event ids and timestamps unique")
	team := fs.String("team", "T0001", "team_id of the events")
	users := fs.Int("users", 0, "distinct users the events come from, in turn; 0: a user of its own for every event of the run (1: one person's flood, which MAX_QUESTIONS_PER_USER holds back)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" || *secret == "" {
		return fmt.Errorf("fire: --url and --secret are required")
	}
	if *users < 0 {
		return fmt.Errorf("fire: --users must not be negative")
	}
	if *users == 0 {
		*users = *events
	}
	bodies := make([][]byte, *events)
	for i := range bodies {
		ts := fmt.Sprintf("17%04d%05d.000100", *batch%10000, i)
		body, err := json.Marshal(map[string]any{
			"token": "legacy", "team_id": *team, "api_app_id": "A1", "type": "event_callback",
			"event_id": fmt.Sprintf("EvL%d_%d", *batch, i), "event_time": time.Now().Unix(),
			"event": map[string]any{"type": "app_mention", "user": fmt.Sprintf("U%dX%05d", *batch, i%*users), "channel": "C100", "ts": ts, "event_ts": ts,
				"text": fmt.Sprintf("<@UBOT> [load %d/%d] what was DAU by platform yesterday?", *batch, i)},
		})
		if err != nil {
			return err
		}
		bodies[i] = body
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: *clients, MaxIdleConnsPerHost: *clients, IdleConnTimeout: time.Minute,
	}}
	// Open the clients' connections first, with deliveries that queue nothing.
	var wg sync.WaitGroup
	for range *clients {
		wg.Go(func() {
			_, _ = deliver(ctx, client, *url, *secret, []byte(`{"type":"url_verification","challenge":"warm"}`))
		})
	}
	wg.Wait()

	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var non2xx, failed int
	for range *clients {
		wg.Go(func() {
			var mine []time.Duration
			var bad, lost int
			for i := int(next.Add(1)) - 1; i < len(bodies); i = int(next.Add(1)) - 1 {
				d, status := deliver(ctx, client, *url, *secret, bodies[i])
				switch {
				case status == 0:
					lost++
				case status/100 != 2:
					bad++
				default:
					mine = append(mine, d)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, mine...)
			non2xx += bad
			failed += lost
		})
	}
	wg.Wait()
	slices.Sort(lat)
	s := Summary{Events: len(bodies), Non2xx: non2xx, Failed: failed}
	if n := len(lat); n > 0 {
		s.P50MS, s.P99MS, s.MaxMS = ms(lat[n/2]), ms(lat[min(n-1, n*99/100)]), ms(lat[n-1])
	}
	return json.NewEncoder(stdout).Encode(s)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// deliver posts one signed event and returns its latency and status (0
// when the request failed).
func deliver(ctx context.Context, client *http.Client, url, secret string, body []byte) (time.Duration, int) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/slack/events", bytes.NewReader(body))
	if err != nil {
		return 0, 0
	}
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(start), resp.StatusCode
}
