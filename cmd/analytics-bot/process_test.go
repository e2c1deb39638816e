package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// asMainEnv makes the test binary run as analytics-bot itself, so that
// tests can start real `serve` processes (and kill them) without building
// the binary.
const asMainEnv = "ANALYTICS_BOT_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) != "" {
		main()
		return
	}
	os.Exit(m.Run())
}

// serveProcess is `serve` running in a process of its own against the
// test bot's database and fakes.
type serveProcess struct {
	t      testing.TB
	cmd    *exec.Cmd
	url    string
	exited chan struct{}
	err    error // set when exited closes

	mu  sync.Mutex
	out bytes.Buffer
}

// startServe starts `serve` as a process and waits until /readyz answers.
// The process is killed when the test ends, its output logged if the test
// failed.
func (b *testBot) startServe() *serveProcess {
	b.t.Helper()
	port := freePort(b.t)
	p := &serveProcess{t: b.t, url: "http://127.0.0.1:" + strconv.Itoa(port), exited: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], "serve")
	p.cmd.Env = []string{asMainEnv + "=1", "PORT=" + strconv.Itoa(port)}
	for k, v := range b.env {
		if k != "PORT" {
			p.cmd.Env = append(p.cmd.Env, k+"="+v)
		}
	}
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		b.t.Fatalf("start serve: %v", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	b.t.Cleanup(func() {
		p.kill()
		if b.t.Failed() {
			b.t.Logf("serve %d output:\n%s", p.cmd.Process.Pid, p.output())
		}
	})

	poll := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := poll.Get(p.url + "/readyz"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.exited:
			b.t.Fatalf("serve exited before it was ready: %v\n%s", p.err, p.output())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("serve not ready after 30 s\n%s", p.output())
		}
	}
}

// Write collects the process's output.
func (p *serveProcess) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *serveProcess) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// kill ends the process with SIGKILL, as the OOM killer would: no cleanup.
func (p *serveProcess) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}
