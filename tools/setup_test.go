package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/schema"
	"github.com/analytics-bot/analytics-bot/tools"
)

var lastDay = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

// thisThread is the conversation the tools are bound to in these tests.
var thisThread = history.Conversation{TeamID: "T1", ChannelID: "C1", ThreadTS: "1700000000.000100", UserID: "U1"}

// fixture is a migrated database with demo data and the dependencies the
// tools need, built like the bot builds them.
type fixture struct {
	t       *testing.T
	db      *pgtest.DB
	ro      *readonly.DB
	catalog *schema.Cache
	history *history.Store
	files   *recordingSender
	tempDir string
}

type options struct {
	maxRows       int
	exportMaxRows int
}

func setup(t *testing.T, opts options) *fixture {
	t.Helper()
	db := pgtest.NewMigrated(t)
	ctx := context.Background()
	if _, err := demodata.Load(ctx, db.Pool, 30, lastDay); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgxpool.ParseConfig(db.ReadonlyDSN())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 4
	readonly.ConfigurePool(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if opts.maxRows == 0 {
		opts.maxRows = 100
	}
	return &fixture{
		t:       t,
		db:      db,
		ro:      readonly.New(pool, readonly.Options{Timeout: 5 * time.Second, MaxRows: opts.maxRows}),
		catalog: schema.NewCache(pool, time.Minute, slog.New(slog.DiscardHandler)),
		history: history.NewStore(db.Pool),
		files:   &recordingSender{},
		tempDir: t.TempDir(),
	}
}

func (f *fixture) deps(exportMaxRows int) tools.Deps {
	return tools.Deps{
		Catalog: f.catalog, DB: f.ro, Exporter: f.ro, History: f.history, Files: f.files,
		ExportMaxRows: exportMaxRows, TempDir: f.tempDir,
	}
}

// tool returns the named tool of a set bound to conv.
func tool(t *testing.T, set *tools.Set, name string) tools.Tool {
	t.Helper()
	for _, tl := range set.Tools() {
		if tl.Name() == name {
			return tl
		}
	}
	t.Fatalf("no tool %s", name)
	return nil
}

func call(t *testing.T, tl tools.Tool, args any) tools.Output {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tl.Call(context.Background(), raw)
	if err != nil {
		t.Fatalf("%s(%s): %v", tl.Name(), raw, err)
	}
	return out
}

// recordingSender is a FileSender that reads each file while it is being
// sent, as Slack's upload does.
type recordingSender struct {
	mu    sync.Mutex
	sent  []sentFile
	fail  error
	paths []string
}

type sentFile struct {
	tools.File
	content []byte
}

func (r *recordingSender) SendFile(_ context.Context, f tools.File) error {
	content, err := os.ReadFile(f.Path)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paths = append(r.paths, f.Path)
	if err != nil {
		return fmt.Errorf("recording sender: %w", err)
	}
	if r.fail != nil {
		return r.fail
	}
	r.sent = append(r.sent, sentFile{File: f, content: content})
	return nil
}

func (r *recordingSender) files() []sentFile {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

func (f *fixture) record(conv history.Conversation, question, sql string, status history.Status) int64 {
	f.t.Helper()
	id, err := f.history.Record(context.Background(), history.Entry{
		Conversation: conv, Question: question, SQL: sql, RowCount: 3, Answer: "answer to " + question,
		Model: "gpt-4.1", Status: status,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}
