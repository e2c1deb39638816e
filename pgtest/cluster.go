package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a PostgreSQL server of a test's own, started from the local
// PostgreSQL binaries in a temporary directory and stopped when the test
// ends. Unlike the shared server it allows replication, and it asks every
// role but postgres for its password (SCRAM), as a stock server does.
type Cluster struct {
	server
	dir string
	bin string
}

// StartCluster initialises and starts a private server. It skips the test
// when no PostgreSQL binaries are installed.
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	bin := binDir(tb)
	base := privateDir(tb)
	c := &Cluster{server: server{host: "127.0.0.1", port: freePort(tb), user: "postgres"}, dir: filepath.Join(base, "data"), bin: bin}
	c.run(tb, "initdb", "-D", c.dir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C")
	hba := "host replication postgres 127.0.0.1/32 trust\n" +
		"host all postgres 127.0.0.1/32 trust\n" +
		"host all all 127.0.0.1/32 scram-sha-256\n"
	c.writeFile(tb, "pg_hba.conf", hba)
	c.appendConf(tb, "listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\n"+
		"synchronous_commit = off\nfull_page_writes = off\nshared_buffers = 16MB\nmax_connections = 60\n"+
		"wal_level = replica\nmax_wal_senders = 4\npassword_encryption = 'scram-sha-256'\n")
	c.start(tb)
	return c
}

// StartReplica takes a base backup of c (pg_basebackup -R) and starts it
// as c's streaming replica, a hot standby that answers read-only queries.
func (c *Cluster) StartReplica(tb testing.TB) *Cluster {
	tb.Helper()
	base := privateDir(tb)
	r := &Cluster{server: server{host: "127.0.0.1", port: freePort(tb), user: "postgres"}, dir: filepath.Join(base, "data"), bin: c.bin}
	c.run(tb, "pg_basebackup", "-h", c.host, "-p", strconv.Itoa(c.port), "-U", "postgres",
		"-D", r.dir, "-R", "-X", "stream", "-c", "fast", "--no-sync")
	r.start(tb)
	return r
}

// Port is the port the server listens on (at 127.0.0.1).
func (c *Cluster) Port() int { return c.port }

// New creates an empty database on the cluster, dropped when the test ends.
func (c *Cluster) New(tb testing.TB) *DB { tb.Helper(); return newOn(tb, c.server) }

// NewMigrated creates a migrated database on the cluster.
func (c *Cluster) NewMigrated(tb testing.TB) *DB {
	tb.Helper()
	return migrate(tb, newOn(tb, c.server))
}

// CatchUp waits until the replica r has replayed everything primary has
// written so far.
func (r *Cluster) CatchUp(tb testing.TB, primary *Cluster) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := pgx.Connect(ctx, primary.dsn("postgres", "", "postgres"))
	if err != nil {
		tb.Fatalf("pgtest: connect to the primary: %v", err)
	}
	defer p.Close(ctx)
	var lsn string
	// The insert position, not pg_current_wal_lsn(): with synchronous_commit
	// off a commit may still sit in the WAL buffers, before the write
	// position, and the replica would look caught up without it.
	if err := p.QueryRow(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&lsn); err != nil {
		tb.Fatalf("pgtest: primary WAL position: %v", err)
	}
	s, err := pgx.Connect(ctx, r.dsn("postgres", "", "postgres"))
	if err != nil {
		tb.Fatalf("pgtest: connect to the replica: %v", err)
	}
	defer s.Close(ctx)
	for {
		var done bool
		if err := s.QueryRow(ctx, "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)", lsn).Scan(&done); err != nil {
			tb.Fatalf("pgtest: replica WAL position: %v", err)
		}
		if done {
			return
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("pgtest: the replica did not replay up to %s in time", lsn)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (c *Cluster) start(tb testing.TB) {
	tb.Helper()
	c.appendConf(tb, fmt.Sprintf("port = %d\n", c.port))
	c.run(tb, "pg_ctl", "-D", c.dir, "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "start")
	tb.Cleanup(func() {
		cmd := c.command("pg_ctl", "-D", c.dir, "-m", "immediate", "-w", "stop")
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Errorf("pgtest: stop the server in %s: %v\n%s", c.dir, err, out)
		}
	})
}

// run runs one of the PostgreSQL programs, as the postgres OS user when
// the test runs as root (PostgreSQL refuses to run as root).
func (c *Cluster) run(tb testing.TB, program string, args ...string) {
	tb.Helper()
	if out, err := c.command(program, args...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		tb.Fatalf("pgtest: %s %s: %v\n%s\n%s", program, strings.Join(args, " "), err, out, log)
	}
}

func (c *Cluster) command(program string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, program)
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func (c *Cluster) writeFile(tb testing.TB, name, content string) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o600); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	chownToPostgres(tb, filepath.Join(c.dir, name))
}

func (c *Cluster) appendConf(tb testing.TB, lines string) {
	tb.Helper()
	f, err := os.OpenFile(filepath.Join(c.dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	defer f.Close()
	if _, err := f.WriteString(lines); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
}

// binDir finds the PostgreSQL server programs: PGTEST_BINDIR, the newest
// Debian-style /usr/lib/postgresql/N/bin, or initdb on the PATH.
func binDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("PGTEST_BINDIR"); d != "" {
		return d
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	tb.Skip("pgtest: no PostgreSQL server programs (initdb, pg_ctl, pg_basebackup) found; set PGTEST_BINDIR")
	return ""
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// privateDir is a temporary directory the postgres OS user owns, removed
// when the test ends.
func privateDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "abt-pgtest-")
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	chownToPostgres(tb, dir)
	return dir
}

func chownToPostgres(tb testing.TB, path string) {
	tb.Helper()
	if os.Geteuid() != 0 {
		return
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		tb.Skip("pgtest: running as root without a postgres OS user to run PostgreSQL as")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(path, uid, gid); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("pgtest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
