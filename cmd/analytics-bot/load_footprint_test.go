package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkServeFootprint builds the real binary, runs `serve` against a
// migrated database and the fakes, and reports the time from process start
// to the first /readyz 200 (goal: under 500 ms) and the resident memory
// after three idle seconds (goal: under 40 MB).
func BenchmarkServeFootprint(b *testing.B) {
	if testing.Short() {
		b.Skip("load benchmark: builds the binary and runs serve")
	}
	bin := filepath.Join(b.TempDir(), "analytics-bot")
	if out, err := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	bot := newTestBot(quietTB{TB: b, logs: &logTally{}}, botOptions{noStart: true})
	// FOOTPRINT_BOT_ENV="GOGC=50,GOMEMLIMIT=20MiB" varies serve's runtime for experiments.
	for _, kv := range strings.Split(os.Getenv("FOOTPRINT_BOT_ENV"), ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			bot.env[k] = v
		}
	}

	var ready time.Duration
	var mem procMemory
	b.ResetTimer()
	for range b.N {
		r, m := runServeOnce(b, bin, bot.env)
		ready += r
		mem.add(m)
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(ready.Milliseconds())/n, "ready-ms")
	b.ReportMetric(mem.rssKB/1024/n, "idle-rss-MB")
	b.Logf("serve: /readyz 200 after %.0f ms; after 3 s idle VmRSS %.1f MB (anonymous %.1f MB, file-backed %.1f MB), VmHWM %.1f MB, %0.f threads",
		float64(ready.Milliseconds())/n, mem.rssKB/1024/n, mem.anonKB/1024/n, mem.fileKB/1024/n, mem.hwmKB/1024/n, mem.threads/n)
	b.Logf("largest resident mappings: %s", mem.mappings)
}

// runServeOnce starts `serve`, polls /readyz from the moment the process
// starts, idles three seconds, reads its memory and stops it.
func runServeOnce(b *testing.B, bin string, botEnv map[string]string) (time.Duration, procMemory) {
	port := freePort(b)
	environ := []string{"PORT=" + strconv.Itoa(port)}
	for k, v := range botEnv {
		if k != "PORT" {
			environ = append(environ, k+"="+v)
		}
	}
	var output bytes.Buffer
	cmd := exec.Command(bin, "serve")
	cmd.Env = environ // nothing from this process: no OTEL_* or LOGFIRE_TOKEN leaks in
	cmd.Stdout, cmd.Stderr = &output, &output

	readyz := "http://127.0.0.1:" + strconv.Itoa(port) + "/readyz"
	poll := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatalf("start serve: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	var ready time.Duration
	for ready == 0 {
		if resp, err := poll.Get(readyz); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ready = time.Since(start)
				continue
			}
		}
		select {
		case err := <-exited:
			b.Fatalf("serve exited before it was ready: %v\n%s", err, output.String())
		case <-time.After(time.Millisecond):
		}
		if time.Since(start) > 30*time.Second {
			stop()
			b.Fatalf("serve not ready after 30 s\n%s", output.String())
		}
	}
	poll.CloseIdleConnections()
	time.Sleep(3 * time.Second)
	mem, err := readProcMemory(cmd.Process.Pid)
	if err == nil {
		mem.mappings, err = largestMappings(cmd.Process.Pid, 4)
	}
	stop()
	if err != nil {
		b.Fatal(err)
	}
	return ready, mem
}

// procMemory is what /proc says about a process's memory, in kB.
type procMemory struct {
	rssKB, anonKB, fileKB, hwmKB, threads float64
	// mappings names the largest resident mappings (of the last run).
	mappings string
}

func (m *procMemory) add(o procMemory) {
	m.rssKB += o.rssKB
	m.anonKB += o.anonKB
	m.fileKB += o.fileKB
	m.hwmKB += o.hwmKB
	m.threads += o.threads
	m.mappings = o.mappings
}

func readProcMemory(pid int) (procMemory, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return procMemory{}, fmt.Errorf("read memory of serve: %w", err)
	}
	defer f.Close()
	fields := map[string]*float64{}
	var m procMemory
	fields["VmRSS"], fields["RssAnon"], fields["RssFile"], fields["VmHWM"], fields["Threads"] = &m.rssKB, &m.anonKB, &m.fileKB, &m.hwmKB, &m.threads
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if p := fields[name]; ok && p != nil {
			*p, _ = strconv.ParseFloat(strings.Fields(rest)[0], 64)
		}
	}
	if m.rssKB == 0 {
		return m, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return m, sc.Err()
}

// largestMappings sums resident memory by mapping in /proc/<pid>/smaps
// (the binary's text, its read-only data, the Go heap…) and names the n
// largest, to show what dominates.
func largestMappings(pid, n int) (string, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/smaps")
	if err != nil {
		return "", fmt.Errorf("read mappings of serve: %w", err)
	}
	defer f.Close()
	rss := map[string]float64{}
	var current string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-"): // "ADDRESSES PERMISSIONS OFFSET DEVICE INODE [PATH]"
			current = "anonymous " + fields[1]
			if len(fields) >= 6 {
				current = filepath.Base(fields[5]) + " " + fields[1]
			}
		case len(fields) == 3 && fields[0] == "Rss:":
			kb, _ := strconv.ParseFloat(fields[1], 64)
			rss[current] += kb
		}
	}
	names := make([]string, 0, len(rss))
	for name := range rss {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return int(rss[b] - rss[a]) })
	var out []string
	for _, name := range names[:min(n, len(names))] {
		out = append(out, fmt.Sprintf("%s %.1f MB", name, rss[name]/1024))
	}
	return strings.Join(out, ", "), sc.Err()
}

func freePort(b testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
