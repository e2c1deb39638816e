// Package scripts_test runs the Makefile's helper scripts and checks what
// they tell a person.
package scripts_test

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func runScript(t *testing.T, script string, env ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", script)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestEnsurePostgresSaysWhichAddressItTried(t *testing.T) {
	t.Parallel()
	port := strconv.Itoa(freePort(t))
	out, code := runScript(t, "ensure-postgres.sh", "POSTGRES_HOST=127.0.0.1", "POSTGRES_PORT="+port)
	if code != 1 || !strings.Contains(out, "127.0.0.1:"+port) || !strings.Contains(out, "POSTGRES_PORT") {
		t.Errorf("exit %d, output %q; want exit 1 naming 127.0.0.1:%s and the variables", code, out, port)
	}
	if strings.Contains(out, "did not come up") {
		t.Errorf("waited for a server that was never started: %q", out)
	}

	out, code = runScript(t, "ensure-postgres.sh", "POSTGRES_HOST=db.example.invalid", "POSTGRES_PORT=5432")
	if code != 1 || !strings.Contains(out, "db.example.invalid:5432") {
		t.Errorf("remote host: exit %d, output %q", code, out)
	}
}

func TestEnsurePostgresAcceptsTheRunningServer(t *testing.T) {
	t.Parallel()
	host, port := os.Getenv("POSTGRES_HOST"), os.Getenv("POSTGRES_PORT")
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "5432"
	}
	if out, code := runScript(t, "ensure-postgres.sh", "POSTGRES_HOST="+host, "POSTGRES_PORT="+port); code != 0 {
		t.Errorf("exit %d on the test server %s:%s: %s", code, host, port, out)
	}
}

func TestCheckModelFailsFastNamingTheVariable(t *testing.T) {
	t.Parallel()
	out, code := runScript(t, "check-model.sh")
	if code != 2 || !strings.Contains(out, "OPENAI_API_KEY is not set") || !strings.Contains(out, "OPENAI_BASE_URL") {
		t.Errorf("exit %d, output %q; want exit 2 naming OPENAI_API_KEY and OPENAI_BASE_URL", code, out)
	}
	// The default question is answered from the demo knowledge with no model.
	if out, code := runScript(t, "check-model.sh", "QUESTION=what was DAU?", "DEFAULT_QUESTION=what was DAU?"); code != 0 || !strings.Contains(out, "verified query") {
		t.Errorf("default question without a key: exit %d, output %q; want exit 0 saying it answers from the verified query", code, out)
	}
	if out, code := runScript(t, "check-model.sh", "QUESTION=something else", "DEFAULT_QUESTION=what was DAU?"); code != 2 {
		t.Errorf("another question without a key: exit %d, output %q; want exit 2", code, out)
	}
	for _, env := range []string{"OPENAI_API_KEY=sk-x", "OPENAI_BASE_URL=http://localhost:11434/v1", "SSM_PREFIX=/analytics-bot"} {
		if out, code := runScript(t, "check-model.sh", env); code != 0 {
			t.Errorf("%s: exit %d: %s", env, code, out)
		}
	}
}

// TestMakeRunChecksTheModelFirst: the model check comes before the build
// and the migrations, so a missing key fails in seconds.
func TestMakeRunChecksTheModelFirst(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	cmd := exec.Command("make", "--no-print-directory", "-n", "run")
	cmd.Dir = ".."
	// Under `make test` the parent's MAKEFLAGS would leak into this make.
	cmd.Env = append(os.Environ(), "MAKEFLAGS=", "MAKELEVEL=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n run: %v\n%s", err, out)
	}
	lines := strings.Split(string(out), "\n")
	if !strings.Contains(lines[0], "check-model.sh") {
		t.Errorf("make run starts with %q, want the model check", lines[0])
	}
}
