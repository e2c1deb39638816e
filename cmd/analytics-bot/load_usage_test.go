package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// cpuSample is CPU time so far, in clock ticks: the machine's (from
// /proc/stat), this process's, and that of the PostgreSQL processes that
// serve the test database or the whole server (WAL writer, checkpointer…).
// Figures mean little when other work competes for the two cores, so the
// reports say how much did.
type cpuSample struct {
	at                time.Time
	busy, total, self float64
	postgres          map[int]float64
}

func sampleCPU(database string) cpuSample {
	s := cpuSample{at: time.Now(), postgres: map[int]float64{}}
	if data, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(data), "\n")
		for i, f := range strings.Fields(line)[1:] {
			v, _ := strconv.ParseFloat(f, 64)
			s.total += v
			if i != 3 && i != 4 { // idle, iowait
				s.busy += v
			}
		}
	}
	s.self = procTicks("self")
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		// "postgres: [CLUSTER: ]USER DATABASE HOST(PORT) STATE" for a
		// backend, "postgres: [CLUSTER: ]walwriter" for a server process.
		cmdline, err := os.ReadFile("/proc/" + p.Name() + "/cmdline")
		title, ok := bytes.CutPrefix(cmdline, []byte("postgres: "))
		if err != nil || !ok {
			continue
		}
		fields := strings.Fields(string(bytes.ReplaceAll(title, []byte{0}, []byte{' '})))
		if len(fields) > 0 && strings.HasSuffix(fields[0], ":") {
			fields = fields[1:]
		}
		backend := len(fields) >= 3 && (strings.HasSuffix(fields[2], ")") || fields[2] == "[local]")
		if !backend || fields[1] == database {
			s.postgres[pid] = procTicks(p.Name())
		}
	}
	return s
}

// procTicks is the user and system CPU time of a process, in clock ticks.
func procTicks(pid string) float64 {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	_, rest, _ := bytes.Cut(data, []byte(") ")) // after the command name
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return utime + stime
}

// cpuUse accumulates CPU use over measured intervals, in clock ticks, and
// their duration.
type cpuUse struct {
	busy, total, self, postgres float64
	wall                        time.Duration
}

func (u *cpuUse) add(from, to cpuSample) {
	u.wall += to.at.Sub(from.at)
	u.busy += to.busy - from.busy
	u.total += to.total - from.total
	u.self += to.self - from.self
	for pid, t := range to.postgres {
		u.postgres += t - from.postgres[pid] // a backend that started meanwhile counts whole
	}
}

func (u cpuUse) String() string {
	if u.total == 0 {
		return "CPU use unknown"
	}
	pct := func(ticks float64) float64 { return 100 * ticks / u.total }
	load, _ := os.ReadFile("/proc/loadavg")
	return fmt.Sprintf("the %d cores were %.0f%% busy: this test process (bot, fakes, clients) %.0f%%, PostgreSQL for this test %.0f%%, everything else on the machine %.0f%%; load average %s",
		runtime.NumCPU(), pct(u.busy), pct(u.self), pct(u.postgres), max(0, pct(u.busy-u.self-u.postgres)), strings.Join(strings.Fields(string(load))[:3], " "))
}

// poolUse samples how many of a pool's connections are in use.
type poolUse struct {
	mu           sync.Mutex
	samples, sum int
	most, full   int
}

// watchPool samples pool every millisecond until the returned func is called.
func watchPool(u *poolUse, pool *pgxpool.Pool) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			st := pool.Stat()
			u.mu.Lock()
			u.samples++
			u.sum += int(st.AcquiredConns())
			u.most = max(u.most, int(st.AcquiredConns()))
			if st.AcquiredConns() >= st.MaxConns() {
				u.full++
			}
			u.mu.Unlock()
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

func (u *poolUse) String() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.samples == 0 {
		return "not sampled"
	}
	return fmt.Sprintf("%.1f in use on average, at most %d, all %.0f%% of the time",
		float64(u.sum)/float64(u.samples), u.most, 100*float64(u.full)/float64(u.samples))
}

// logPoolStats shows whether the connection pools were a bottleneck:
// their use while measuring, and how often an acquire found no idle
// connection (and waited for one, or for a new one) over the whole run.
func logPoolStats(b *testing.B, srv *server, owner, readonly *poolUse) {
	for _, p := range []struct {
		name string
		pool *pgxpool.Pool
		use  *poolUse
	}{{"owner", srv.owner, owner}, {"readonly", srv.readonly, readonly}} {
		st := p.pool.Stat()
		b.Logf("%s pool of %d: while measuring %s; over the run %d acquires, %.0f%% found no idle connection, %v acquiring in all",
			p.name, st.MaxConns(), p.use, st.AcquireCount(),
			100*float64(st.EmptyAcquireCount())/float64(max(st.AcquireCount(), 1)), st.AcquireDuration().Round(time.Millisecond))
	}
}
