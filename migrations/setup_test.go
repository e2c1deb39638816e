package migrations_test

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/migrations"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

// allMigrations are the numbered files a fresh database receives: every
// file in sql/, in order, so that a new migration needs no edit here.
var allMigrations = func() []string {
	entries, err := os.ReadDir("sql")
	if err != nil {
		panic(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}()

const roTimeout = 3 * time.Second

// fixture is a fresh, unmigrated database and a read-only role name of its
// own, so that tests never share a role (roles belong to the whole server).
type fixture struct {
	t    *testing.T
	db   *pgtest.DB
	role string
	logs *fake.LogSink
	// dropLater registers another role to drop after the database.
	dropLater func(name string)
}

// setup creates the database and names a role; every role registered with
// f.dropLater is dropped after the database is, when the test ends.
func setup(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, logs: &fake.LogSink{}}
	var roles []string
	var mu sync.Mutex
	// Registered before pgtest.New, so it runs after the database is dropped.
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if f.db != nil {
			f.dropRoles(roles)
		}
	})
	f.db = pgtest.New(t)
	f.role = f.newRoleName("abt_ro_")
	roles = append(roles, f.role)
	f.dropLater = func(name string) {
		mu.Lock()
		defer mu.Unlock()
		roles = append(roles, name)
	}
	return f
}

func (f *fixture) newRoleName(prefix string) string {
	return prefix + strings.ToLower(rand.Text()[:12])
}

func (f *fixture) options() migrations.Options {
	return migrations.Options{
		ReadonlyUser:     f.role,
		ReadonlyPassword: "ro-password",
		StatementTimeout: roTimeout,
		Logger:           f.logs.Logger(),
	}
}

func (f *fixture) migrate(pool *pgxpool.Pool, opts migrations.Options) *migrations.Result {
	f.t.Helper()
	res, err := migrations.Migrate(context.Background(), pool, opts)
	if err != nil {
		f.t.Fatalf("migrate: %v\nlogs:\n%s", err, f.logs)
	}
	return res
}

func (f *fixture) connConfig(user, password, database string) *pgx.ConnConfig {
	f.t.Helper()
	cfg, err := pgx.ParseConfig(f.db.DSN())
	if err != nil {
		f.t.Fatal(err)
	}
	cfg.User, cfg.Password = user, password
	if database != "" {
		cfg.Database = database
	}
	return cfg
}

// connect opens a connection to the test database as user.
func (f *fixture) connect(user, password string) *pgx.Conn {
	f.t.Helper()
	conn, err := pgx.ConnectConfig(context.Background(), f.connConfig(user, password, ""))
	if err != nil {
		f.t.Fatalf("connect as %s: %v", user, err)
	}
	f.t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pool opens a pool on the test database as user; closed before the
// database is dropped.
func (f *fixture) pool(user, password string) *pgxpool.Pool {
	f.t.Helper()
	cfg, err := pgxpool.ParseConfig(f.db.DSN())
	if err != nil {
		f.t.Fatal(err)
	}
	cfg.ConnConfig.User, cfg.ConnConfig.Password = user, password
	cfg.MaxConns = 4
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(p.Close)
	return p
}

// admin runs statements as the server's superuser in the maintenance
// database.
func (f *fixture) admin(stmts ...string) {
	f.t.Helper()
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, f.connConfig(f.superuser(), f.superPassword(), "postgres"))
	if err != nil {
		f.t.Fatalf("admin connect: %v", err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			f.t.Fatalf("admin: %s: %v", s, err)
		}
	}
}

func (f *fixture) superuser() string     { return f.db.Env()["POSTGRES_USER"] }
func (f *fixture) superPassword() string { return f.db.Env()["POSTGRES_PASSWORD"] }

func (f *fixture) dropRoles(roles []string) {
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, f.connConfig(f.superuser(), f.superPassword(), "postgres"))
	if err != nil {
		f.t.Errorf("drop roles: connect: %v", err)
		return
	}
	defer conn.Close(ctx)
	// Dropped in reverse: a role created later may have been created by
	// (or granted to) an earlier one.
	for _, r := range slices.Backward(roles) {
		ident := pgx.Identifier{r}.Sanitize()
		_, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+ident)
		if err != nil {
			_, _ = conn.Exec(ctx, "DROP OWNED BY "+ident)
			_, err = conn.Exec(ctx, "DROP ROLE IF EXISTS "+ident)
		}
		if err != nil {
			f.t.Errorf("drop role %s: %v", r, err)
		}
	}
}

// readonlyConn connects as the fixture's read-only role.
func (f *fixture) readonlyConn() *pgx.Conn {
	f.t.Helper()
	return f.connect(f.role, "ro-password")
}

// try runs stmt in a transaction of its own that is always rolled back,
// and returns PostgreSQL's error.
func try(t *testing.T, conn *pgx.Conn, stmt string) error {
	t.Helper()
	ctx := context.Background()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, stmt)
	return err
}

// assertDenied checks that stmt fails for lack of privilege (42501:
// "permission denied …", "must be owner …", "must be superuser …").
func assertDenied(t *testing.T, conn *pgx.Conn, stmt string) {
	t.Helper()
	err := try(t, conn, stmt)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Errorf("%s: err = %v, want insufficient privilege (42501)", stmt, err)
	}
}

// pgCodeOf is the SQLSTATE of err, or "" when it is not a PostgreSQL error.
func pgCodeOf(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// assertPermissionDenied checks that reading stmt is refused with
// "permission denied".
func assertPermissionDenied(t *testing.T, conn *pgx.Conn, stmt string) {
	t.Helper()
	err := try(t, conn, stmt)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" || !strings.HasPrefix(pgErr.Message, "permission denied") {
		t.Errorf("%s: err = %v, want permission denied (42501)", stmt, err)
	}
}

// ownerPool makes a new non-superuser role with CREATEROLE the owner of the
// test database and connects as it: the design's default deployment.
func (f *fixture) ownerPool() *pgxpool.Pool {
	owner := f.newRoleName("abt_owner_")
	f.dropLater(owner)
	f.admin(
		"CREATE ROLE "+owner+" LOGIN CREATEROLE NOSUPERUSER NOCREATEDB",
		"ALTER DATABASE "+f.db.Name+" OWNER TO "+owner,
	)
	return f.pool(owner, "")
}
