package main

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/pgtest"
)

// noTLSProxy forwards connections to the real PostgreSQL server but
// refuses TLS, as a stock server without certificates does: pgx then tries
// TLS, is refused, and tries again in plain text.
func noTLSProxy(t *testing.T, upstream string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go proxyRefusingTLS(c, upstream)
		}
	}()
	return ln.Addr().String()
}

func proxyRefusingTLS(c net.Conn, upstream string) {
	defer c.Close()
	var head [8]byte
	for {
		if _, err := io.ReadFull(c, head[:]); err != nil {
			return
		}
		const sslRequest, gssRequest = 80877103, 80877104
		code := binary.BigEndian.Uint32(head[4:])
		if binary.BigEndian.Uint32(head[:4]) == 8 && (code == sslRequest || code == gssRequest) {
			if _, err := c.Write([]byte{'N'}); err != nil {
				return
			}
			continue
		}
		break
	}
	up, err := net.Dial("tcp", upstream)
	if err != nil {
		return
	}
	defer up.Close()
	if _, err := up.Write(head[:]); err != nil {
		return
	}
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
}

// TestCLIPostgresFailureNamesTheRealCause: a server that refuses TLS and
// rejects the user must be reported by its rejection, not by pgx's first
// attempt ("tls error: server refused TLS connection").
func TestCLIPostgresFailureNamesTheRealCause(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	env := db.Env()
	addr := noTLSProxy(t, net.JoinHostPort(env["POSTGRES_HOST"], env["POSTGRES_PORT"]))
	host, port, _ := net.SplitHostPort(addr)
	env["POSTGRES_HOST"], env["POSTGRES_PORT"] = host, port
	env["POSTGRES_USER"] = "i16_no_such_role"
	env["POSTGRES_PASSWORD"] = "i16-password-never-printed"

	for _, cmd := range [][]string{{"migrate"}, {"demo-data", "--days", "1"}} {
		r := runCLI(t, env, cmd...)
		line := lastLine(r.stderr)
		if r.code != 1 {
			t.Errorf("%v: exit %d, want 1: %s", cmd, r.code, r.stderr)
		}
		for _, want := range []string{`role "i16_no_such_role" does not exist`, "SQLSTATE 28000", addr, "POSTGRES_USER", "POSTGRES_PASSWORD"} {
			if !strings.Contains(line, want) {
				t.Errorf("%v: error line lacks %q:\n%s", cmd, want, line)
			}
		}
		for _, herring := range []string{"TLS", "tls", "i16-password-never-printed"} {
			if strings.Contains(r.stderr+r.stdout, herring) {
				t.Errorf("%v: output mentions %q:\n%s", cmd, herring, r.stderr)
			}
		}
	}
}

// TestCLIPostgresNotListeningSaysWhereItLooked: nothing on the port.
func TestCLIPostgresNotListeningSaysWhereItLooked(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r := runCLI(t, map[string]string{"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": strconv.Itoa(port)}, "migrate")
	line := lastLine(r.stderr)
	if r.code != 1 || !strings.Contains(line, "127.0.0.1:"+strconv.Itoa(port)) || !strings.Contains(line, "connection refused") ||
		!strings.Contains(line, "POSTGRES_PORT") {
		t.Errorf("exit %d, error line %q; want the address tried, the refusal and the variables to check", r.code, line)
	}
	if bytes.Count([]byte(r.stderr), []byte("\n")) > 1 {
		t.Errorf("want one line on stderr, got:\n%s", r.stderr)
	}
}

// TestCLIPostgresHostUnknownNamesTheVariable: a host name that does not
// resolve is told as such, naming POSTGRES_HOST.
func TestCLIPostgresHostUnknownNamesTheVariable(t *testing.T) {
	t.Parallel()
	r := runCLI(t, map[string]string{"POSTGRES_HOST": "no-such-host.invalid"}, "migrate")
	line := lastLine(r.stderr)
	if r.code != 1 || !strings.Contains(line, "no-such-host.invalid:5432") || !strings.Contains(line, "check POSTGRES_HOST") {
		t.Errorf("exit %d, error line %q; want the address tried and POSTGRES_HOST to check", r.code, line)
	}
}
