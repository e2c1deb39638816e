package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

// hostileMemoryCases are the questions of issue 14 that took the bot to
// 750 MB (serve) and 6.5 GB (ask): a 200 MB cell, 700 rows of 1 MB, and
// an export of 1,000 rows of 1 MB.
var hostileMemoryCases = []struct {
	name  string
	calls []fake.ToolCall
	// file is a part of the name of the file ask should write, if any.
	file string
}{
	{name: "huge cell", calls: []fake.ToolCall{
		fake.CallTool("run_readonly_sql", map[string]string{"sql": "SELECT repeat('x', 200000000)"}),
		fake.CallTool("run_readonly_sql", map[string]string{"sql": "SELECT repeat('x', 1000000) FROM generate_series(1, 700)"}),
	}},
	{name: "huge export", calls: []fake.ToolCall{
		fake.CallTool("export_csv", map[string]string{"sql": "SELECT g, repeat('x', 1000000) AS big FROM generate_series(1, 1000) g"}),
	}, file: "-partial.csv"},
}

// watchPeakRSS reads the process's VmHWM (its own high-water mark, in kB)
// from /proc every few milliseconds until it exits; the returned function
// gives the last reading. Rusage's ru_maxrss would not do: Linux carries
// it across fork and exec, so a child of a large test process reports
// the test's size, not its own.
func watchPeakRSS(pid int) func() int64 {
	var mu sync.Mutex
	var hwm int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		path := fmt.Sprintf("/proc/%d/status", pid)
		for {
			data, err := os.ReadFile(path)
			if err != nil {
				return // exited
			}
			for _, line := range strings.Split(string(data), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					var kb int64
					if _, err := fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb); err == nil {
						mu.Lock()
						hwm = max(hwm, kb)
						mu.Unlock()
					}
				}
			}
			if strings.Contains(string(data), "State:\tZ") {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	return func() int64 {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return hwm
	}
}

// TestHostileQuestionsStayUnder300MB builds the real binary and drives
// `ask` with the fake OpenAI scripting the hostile SQL, then reads the
// child's peak resident memory (VmHWM, which the kernel also reports as
// ru_maxrss). Bound: 300 MB.
func TestHostileQuestionsStayUnder300MB(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and moves hundreds of megabytes")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "analytics-bot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bot := newTestBot(t, botOptions{noStart: true})
	for _, tc := range hostileMemoryCases {
		bot.model.Script(fake.CallTools(tc.calls...), fake.Reply("done: "+tc.name))
		dir := t.TempDir()
		environ := []string{"HOME=" + dir, "QUERY_TIMEOUT=60s"}
		for k, v := range bot.env {
			environ = append(environ, k+"="+v)
		}
		var out bytes.Buffer
		cmd := exec.Command(bin, "ask", "hostile: "+tc.name)
		cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = environ, dir, &out, &out
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatalf("%s: ask: %v", tc.name, err)
		}
		peak := watchPeakRSS(cmd.Process.Pid)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%s: ask: %v\n%s", tc.name, err, out.String())
		}
		peakMB := float64(peak()) / 1024
		t.Logf("%s: peak RSS (VmHWM) %.0f MB, %s", tc.name, peakMB, time.Since(start).Round(time.Millisecond))
		if peakMB >= 300 {
			t.Errorf("%s: peak RSS %.0f MB, want under 300 MB", tc.name, peakMB)
		}
		if !strings.Contains(out.String(), "done: "+tc.name) {
			t.Errorf("%s: the question was not answered:\n%s", tc.name, out.String())
		}
		if tc.file != "" {
			entries, _ := os.ReadDir(dir)
			var found bool
			for _, e := range entries {
				if strings.Contains(e.Name(), tc.file) {
					info, _ := e.Info()
					found = true
					t.Logf("%s: wrote %s, %d MB", tc.name, e.Name(), info.Size()>>20)
					if info.Size() > 100<<20 {
						t.Errorf("%s: the file has %d bytes, over EXPORT_MAX_BYTES", tc.name, info.Size())
					}
				}
			}
			if !found {
				t.Errorf("%s: no file named *%s in %v", tc.name, tc.file, entries)
			}
		}
		// The model was told what happened, in words it can act on.
		reqs := bot.model.Requests()
		last := reqs[len(reqs)-1]
		for _, r := range last.ToolResults() {
			t.Logf("%s: tool result: %.160s", tc.name, r.Content)
		}
	}
}
