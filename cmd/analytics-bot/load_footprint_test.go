package main

import (
	"bufio"
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

// BenchmarkServeFootprint builds the binary as deploy/release.sh does,
// runs `serve` against a migrated database and the fakes, and reports the
// time from process start to the first /readyz 200 (goal: under 500 ms)
// and the memory after three idle seconds (goal: under 40 MB). In the same
// run it measures a floor the same way: `ackload floor`, a plain net/http
// server with a pgx pool and nothing else, and reports the ratios.
//
// Most of VmRSS is clean, shared pages of the executable file, which the
// kernel can drop at any time; how many of them a process maps depends on
// the kernel and on how the file was written: recent kernels map a whole
// large page-cache folio on one fault. The benchmark therefore also runs
// a copy of each binary written 4 KiB at a time, whose page cache holds
// small pages, and reports the anonymous memory (heap, stacks, C
// allocations), which no copy changes.
func BenchmarkServeFootprint(b *testing.B) {
	if testing.Short() {
		b.Skip("load benchmark: builds the binary and runs serve")
	}
	dir := b.TempDir()
	bin, floorBin := filepath.Join(dir, "analytics-bot"), filepath.Join(dir, "ackload")
	buildAsReleased(b, bin, ".")
	buildAsReleased(b, floorBin, "../ackload")
	bin4k, floorBin4k := copyInSmallWrites(b, bin), copyInSmallWrites(b, floorBin)
	bot := newTestBot(quietTB{TB: b, logs: &logTally{}}, botOptions{noStart: true})
	// FOOTPRINT_BOT_ENV="GOGC=50,GOMEMLIMIT=20MiB" varies serve's runtime for experiments.
	for _, kv := range strings.Split(os.Getenv("FOOTPRINT_BOT_ENV"), ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			bot.env[k] = v
		}
	}
	floorArgs := []string{"floor", "--dsn", bot.db.DSN(), "--secret", testSigningSecret}

	var ready time.Duration
	var mem, mem4k, floor, floor4k procMemory
	b.ResetTimer()
	for range b.N {
		r, m := runIdle(b, bin, []string{"serve"}, bot.env)
		ready += r
		mem.add(m)
		_, m = runIdle(b, bin4k, []string{"serve"}, bot.env)
		mem4k.add(m)
		_, m = runIdle(b, floorBin, floorArgs, nil)
		floor.add(m)
		_, m = runIdle(b, floorBin4k, floorArgs, nil)
		floor4k.add(m)
	}
	b.StopTimer()
	n := float64(b.N)
	mb := func(kb float64) float64 { return kb / 1024 / n }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(ready.Milliseconds())/n, "ready-ms")
	b.ReportMetric(mb(mem.rssKB), "idle-rss-MB")
	b.ReportMetric(mb(mem4k.rssKB), "idle-rss-4k-MB")
	b.ReportMetric(mb(mem.anonKB), "idle-anon-MB")
	b.ReportMetric(mem.rssKB/floor.rssKB, "rss-ratio-to-floor")
	b.ReportMetric(mem.anonKB/floor.anonKB, "anon-ratio-to-floor")
	b.Logf("serve: /readyz 200 after %.0f ms, %0.f threads; binary %.1f MB, floor's %.1f MB", float64(ready.Milliseconds())/n, mem.threads/n, fileMB(b, bin), fileMB(b, floorBin))
	for _, row := range []struct {
		name       string
		bot, floor procMemory
	}{{"as built", mem, floor}, {"copied in 4 KiB writes", mem4k, floor4k}} {
		b.Logf("after 3 s idle, %s: serve VmRSS %.1f MB (anonymous %.1f, file-backed %.1f) | floor VmRSS %.1f MB (anonymous %.1f, file-backed %.1f) | ratio %.1f (anonymous %.1f)",
			row.name, mb(row.bot.rssKB), mb(row.bot.anonKB), mb(row.bot.fileKB), mb(row.floor.rssKB), mb(row.floor.anonKB), mb(row.floor.fileKB),
			row.bot.rssKB/row.floor.rssKB, row.bot.anonKB/row.floor.anonKB)
	}
	b.Logf("serve's largest resident mappings, as built: %s", mem.mappings)
}

// buildAsReleased builds pkg into out with deploy/release.sh's tags and
// flags (a dynamic link: static linking needs a libc this machine may not
// have, and does not change what is resident).
func buildAsReleased(tb testing.TB, out, pkg string) {
	tb.Helper()
	cmd := exec.Command("go", "build", "-trimpath", "-tags", "netgo,osusergo,nomsgpack", "-ldflags", "-s -w", "-o", out, pkg)
	if output, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", pkg, err, output)
	}
}

// copyInSmallWrites copies an executable 4 KiB at a time, so that the page
// cache holds it in small pages, as it does a file read back from disk
// page by page.
func copyInSmallWrites(tb testing.TB, bin string) string {
	tb.Helper()
	data, err := os.ReadFile(bin)
	if err != nil {
		tb.Fatal(err)
	}
	out := bin + "-4k"
	f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		tb.Fatal(err)
	}
	for chunk := range slices.Chunk(data, 4096) {
		if _, err := f.Write(chunk); err != nil {
			tb.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func fileMB(tb testing.TB, path string) float64 {
	st, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return float64(st.Size()) / (1 << 20)
}

// runIdle starts bin with args, polls until it serves (/readyz 200 on PORT
// for serve, the "listening on" line for the floor), idles three seconds,
// reads its memory and stops it.
func runIdle(b *testing.B, bin string, args []string, env map[string]string) (time.Duration, procMemory) {
	port := freePort(b)
	environ := []string{"PORT=" + strconv.Itoa(port)}
	for k, v := range env {
		if k != "PORT" {
			environ = append(environ, k+"="+v)
		}
	}
	var output lockedBuffer
	cmd := exec.Command(bin, args...)
	cmd.Env = environ // nothing from this process: no OTEL_* or LOGFIRE_TOKEN leaks in
	cmd.Stdout, cmd.Stderr = &output, &output

	readyz := "http://127.0.0.1:" + strconv.Itoa(port) + "/readyz"
	poll := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatalf("start %s: %v", bin, err)
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
	serving := func() bool {
		if args[0] != "serve" {
			return strings.Contains(output.String(), "listening on ")
		}
		resp, err := poll.Get(readyz)
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}

	var ready time.Duration
	for ready == 0 {
		if serving() {
			ready = time.Since(start)
			continue
		}
		select {
		case err := <-exited:
			b.Fatalf("%s exited before it was ready: %v\n%s", bin, err, output.String())
		case <-time.After(time.Millisecond):
		}
		if time.Since(start) > 30*time.Second {
			stop()
			b.Fatalf("%s not ready after 30 s\n%s", bin, output.String())
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
