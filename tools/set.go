package tools

import (
	"context"
	"log/slog"
	"sync"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/schema"
)

// Catalog gives the current schema knowledge; *schema.Cache is one.
type Catalog interface {
	Get(ctx context.Context) (*schema.Catalog, error)
}

// Querier runs one read-only statement; *readonly.DB is one.
type Querier interface {
	Query(ctx context.Context, sql string) (*readonly.Result, error)
}

// HistoryReader reads a conversation's earlier questions; *history.Store
// is one.
type HistoryReader interface {
	Recent(ctx context.Context, c history.Conversation, limit int) ([]history.Entry, error)
	LatestAnswered(ctx context.Context, c history.Conversation) (history.Entry, error)
}

// Deps is what the tools need from the rest of the bot.
type Deps struct {
	Catalog  Catalog
	DB       Querier
	Exporter Exporter
	History  HistoryReader
	// Files sends exported files to the conversation; nil disables export_csv.
	Files FileSender
	// ExportMaxRows and ExportMaxBytes cap export_csv (EXPORT_MAX_ROWS,
	// EXPORT_MAX_BYTES).
	ExportMaxRows  int
	ExportMaxBytes int64
	// MaxExports caps the files export_csv posts for one question
	// (MAX_EXPORTS_PER_QUESTION); 0 means the default of 3.
	MaxExports int
	// TempDir is where exports are staged; "" means the system default.
	TempDir string
	Logger  *slog.Logger
}

// Set is the tools of one question, bound to its conversation. It
// remembers the latest SQL that ran successfully in this question.
type Set struct {
	deps Deps
	conv history.Conversation

	mu        sync.Mutex
	latestSQL string
	exports   int
}

// NewSet binds the tools to a conversation.
func NewSet(deps Deps, conv history.Conversation) *Set {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	return &Set{deps: deps, conv: conv}
}

// Tools returns the tools offered to the model, in a stable order.
func (s *Set) Tools() []Tool {
	return []Tool{
		&DescribeSchema{catalog: s.deps.Catalog},
		&RunReadonlySQL{db: s.deps.DB, catalog: s.deps.Catalog, onSuccess: s.rememberSQL},
		&FetchHistory{history: s.deps.History, conv: s.conv},
		&ExportCSV{export: s.exporter(), latestSQL: s.latest, allow: s.takeExport, max: s.maxExports()},
	}
}

// DefaultMaxExports is MAX_EXPORTS_PER_QUESTION's default.
const DefaultMaxExports = 3

func (s *Set) maxExports() int {
	if s.deps.MaxExports > 0 {
		return s.deps.MaxExports
	}
	return DefaultMaxExports
}

// takeExport counts one export of this question, if any is left.
func (s *Set) takeExport() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exports >= s.maxExports() {
		return false
	}
	s.exports++
	return true
}

func (s *Set) exporter() *Export {
	return &Export{
		DB: s.deps.Exporter, Files: s.deps.Files, MaxRows: s.deps.ExportMaxRows, MaxBytes: s.deps.ExportMaxBytes,
		TempDir: s.deps.TempDir, Logger: s.deps.Logger,
	}
}

func (s *Set) rememberSQL(sql string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latestSQL = sql
}

// latest is the SQL export_csv uses by default: this question's latest
// successful SQL, else the conversation's latest answered question's.
func (s *Set) latest(ctx context.Context) (string, error) {
	s.mu.Lock()
	sql := s.latestSQL
	s.mu.Unlock()
	if sql != "" {
		return sql, nil
	}
	if s.deps.History == nil {
		return "", history.ErrNotFound
	}
	e, err := s.deps.History.LatestAnswered(ctx, s.conv)
	if err != nil {
		return "", err
	}
	return e.SQL, nil
}
