// Package pgtest gives each test its own freshly migrated database on the
// real PostgreSQL server, dropped when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/migrations"
)

// ReadonlyUser is the read-only role shared by test databases; roles
// belong to the whole server, grants to each database.
const (
	ReadonlyUser     = "abt_test_readonly"
	ReadonlyPassword = "abt-test-readonly"
)

// DB is one test's database.
type DB struct {
	// Name is the database's name.
	Name string
	// Pool connects as the application's own role (the owner).
	Pool *pgxpool.Pool
	// Readonly connects as the read-only role.
	Readonly *pgxpool.Pool

	server server
}

type server struct {
	host     string
	port     int
	user     string
	password string
}

// Env returns the POSTGRES_* settings that point the bot at this database.
func (d *DB) Env() map[string]string {
	return map[string]string{
		"POSTGRES_HOST":              d.server.host,
		"POSTGRES_PORT":              strconv.Itoa(d.server.port),
		"POSTGRES_USER":              d.server.user,
		"POSTGRES_PASSWORD":          d.server.password,
		"POSTGRES_DB":                d.Name,
		"POSTGRES_READONLY_USER":     ReadonlyUser,
		"POSTGRES_READONLY_PASSWORD": ReadonlyPassword,
	}
}

// DSN is the owner's connection string for this database.
func (d *DB) DSN() string { return d.server.dsn(d.server.user, d.server.password, d.Name) }

// ReadonlyDSN is the read-only role's connection string for this database.
func (d *DB) ReadonlyDSN() string { return d.server.dsn(ReadonlyUser, ReadonlyPassword, d.Name) }

func (s server) dsn(user, password, db string) string {
	u := url.URL{Scheme: "postgres", Host: s.host + ":" + strconv.Itoa(s.port), Path: "/" + db}
	if password != "" {
		u.User = url.UserPassword(user, password)
	} else {
		u.User = url.User(user)
	}
	return u.String()
}

// New creates an empty database (no migrations) for the test and drops it
// when the test ends.
func New(tb testing.TB) *DB {
	tb.Helper()
	return newOn(tb, serverFromEnv())
}

func newOn(tb testing.TB, srv server) *DB {
	tb.Helper()
	ctx := context.Background()
	name := "abt_test_" + strings.ToLower(rand.Text()[:12])

	admin, err := pgx.Connect(ctx, srv.dsn(srv.user, srv.password, "postgres"))
	if err != nil {
		tb.Fatalf("pgtest: connect to PostgreSQL at %s:%d (is it running?): %v", srv.host, srv.port, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	db := &DB{Name: name, server: srv}
	tb.Cleanup(func() { db.drop(tb) })

	db.Pool = connect(tb, db.DSN())
	return db
}

// NewMigrated creates a database with every migration applied and the
// shared read-only role granted on it.
func NewMigrated(tb testing.TB) *DB {
	tb.Helper()
	return migrate(tb, New(tb))
}

func migrate(tb testing.TB, db *DB) *DB {
	tb.Helper()
	_, err := migrations.Migrate(context.Background(), db.Pool, migrations.Options{
		ReadonlyUser:     ReadonlyUser,
		ReadonlyPassword: ReadonlyPassword,
		StatementTimeout: 15 * time.Second,
	})
	if err != nil {
		tb.Fatalf("pgtest: migrate: %v", err)
	}
	db.Readonly = connect(tb, db.ReadonlyDSN())
	return db
}

func connect(tb testing.TB, dsn string) *pgxpool.Pool {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		tb.Fatalf("pgtest: parse DSN: %v", err)
	}
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("pgtest: connect: %v", err)
	}
	tb.Cleanup(pool.Close)
	return pool
}

func (d *DB) drop(tb testing.TB) {
	if d.Pool != nil {
		d.Pool.Close()
	}
	if d.Readonly != nil {
		d.Readonly.Close()
	}
	if os.Getenv("PGTEST_KEEP") != "" {
		tb.Logf("pgtest: kept database %s", d.Name)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, d.server.dsn(d.server.user, d.server.password, "postgres"))
	if err != nil {
		tb.Errorf("pgtest: connect to drop %s: %v", d.Name, err)
		return
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+d.Name+" WITH (FORCE)"); err != nil {
		tb.Errorf("pgtest: drop database %s: %v", d.Name, err)
	}
}

func serverFromEnv() server {
	s := server{host: "127.0.0.1", port: 5432, user: "postgres"}
	if v := os.Getenv("POSTGRES_HOST"); v != "" {
		s.host = v
	}
	if v, err := strconv.Atoi(os.Getenv("POSTGRES_PORT")); err == nil {
		s.port = v
	}
	if v := os.Getenv("POSTGRES_USER"); v != "" {
		s.user = v
	}
	s.password = os.Getenv("POSTGRES_PASSWORD")
	return s
}

// String names the database in test logs.
func (d *DB) String() string { return fmt.Sprintf("pgtest database %s", d.Name) }
