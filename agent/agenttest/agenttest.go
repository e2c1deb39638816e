// Package agenttest builds the real agent for tests, wired as the server
// wires it: a migrated pgtest database with demo data, the llm client
// talking to the fake OpenAI server, the embedded prompts, the read-only
// runner, the schema cache, the history store and the tool set. Options
// name the few ways tests and benchmarks differ; everything else is the
// same for all of them.
package agenttest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tmc/langchaingo/llms"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/knowledge"
	"github.com/analytics-bot/analytics-bot/llm"
	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/prompts"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/schema"
	"github.com/analytics-bot/analytics-bot/tools"
)

// ModelName is the model the fixture's agent asks for.
const ModelName = "gpt-4.1"

// Options says how a fixture differs from the default one.
type Options struct {
	// DB is a database to build on, as it is; nil creates a migrated one
	// and loads demo data into it. Several agents can share one this way.
	DB *pgtest.DB
	// DemoDays is how many days of demo data to load (default 30).
	DemoDays int
	// DemoEnd is the last day of demo data (default: yesterday, UTC, so
	// that queries on current_date find data).
	DemoEnd time.Time
	// Analyze runs ANALYZE on app_metrics after the load, so that plans
	// are those of a database with statistics.
	Analyze bool

	// Model replaces the llm client of the fake OpenAI server, which is
	// then not started.
	Model llms.Model
	// APIKey is the key the llm client sends (default "sk-test").
	APIKey string
	// RetryDeadline caps one model request, retries included (default
	// 5s); backoffs are kept to 5-50 ms so that failing tests end fast.
	RetryDeadline time.Duration
	// WrapModel, if set, wraps the model the agent calls (timing, tracing).
	WrapModel func(llms.Model) llms.Model
	// WrapTool, if set, wraps every tool of every question.
	WrapTool func(tools.Tool) tools.Tool

	// ConfigureOwnerPool, if set, makes the fixture open its own pool as
	// the database owner for the history store, configured by it, instead
	// of using pgtest's.
	ConfigureOwnerPool func(*pgxpool.Config)
	// ConfigureReadonlyPool, if set, makes the fixture open its own
	// read-only pool as the server does (readonly.ConfigurePool, then this
	// function) instead of using pgtest's.
	ConfigureReadonlyPool func(*pgxpool.Config)
	// MaxRows caps a read-only query (default: readonly's).
	MaxRows int
	// SchemaTTL is how long the schema catalog is cached (default a minute).
	SchemaTTL time.Duration

	// MaxTurns and MaxTokens are the agent's budgets (default: the agent's).
	MaxTurns  int
	MaxTokens int
	// Now is the agent's clock (default time.Now).
	Now func() time.Time
	// Knowledge loads the built-in demo knowledge and gives it to the
	// agent (retrieval, verified badge, exact matches).
	Knowledge bool
	// NoModel builds the agent with no model at all, as when no
	// OPENAI_API_KEY is set.
	NoModel bool
	// Product loads the product-analytics demo tables too (accounts,
	// users, plans, subscriptions, invoices, events), as demo-data does.
	Product bool
}

// Fixture is a ready agent and what tests look at behind it.
type Fixture struct {
	Agent *agent.Agent
	// OpenAI is the fake server the agent's model talks to; nil when
	// Options.Model replaced it.
	OpenAI   *fake.OpenAI
	DB       *pgtest.DB
	History  *history.Store
	Catalog  *schema.Cache
	Readonly *readonly.DB
	// Knowledge is the knowledge store when Options.Knowledge is set.
	Knowledge *knowledge.Store
}

// New builds a fixture for tb; everything it opens is closed, and the
// database dropped, when tb ends.
func New(tb testing.TB, opts Options) *Fixture {
	tb.Helper()
	ctx := context.Background()
	f := &Fixture{DB: opts.DB}
	if f.DB == nil {
		f.DB = demoDB(tb, opts)
	}

	model := opts.Model
	if model == nil && !opts.NoModel {
		f.OpenAI = fake.NewOpenAI(tb)
		model = openAIClient(tb, f.OpenAI.URL, opts)
	}
	if opts.WrapModel != nil && model != nil {
		model = opts.WrapModel(model)
	}

	owner, ro := f.DB.Pool, f.DB.Readonly
	if opts.ConfigureOwnerPool != nil {
		owner = openPool(ctx, tb, f.DB.DSN(), opts.ConfigureOwnerPool)
	}
	if opts.ConfigureReadonlyPool != nil {
		ro = openPool(ctx, tb, f.DB.ReadonlyDSN(), readonly.ConfigurePool, opts.ConfigureReadonlyPool)
	}
	ttl := opts.SchemaTTL
	if ttl == 0 {
		ttl = time.Minute
	}
	f.Readonly = readonly.New(ro, readonly.Options{MaxRows: opts.MaxRows})
	f.Catalog = schema.NewCache(ro, ttl, slog.New(slog.DiscardHandler))
	f.History = history.NewStore(owner)

	ps, err := prompts.Load("")
	if err != nil {
		tb.Fatal(err)
	}
	deps := tools.Deps{Catalog: f.Catalog, DB: f.Readonly, Exporter: f.Readonly, History: f.History}
	var know agent.Knowledge
	if opts.Knowledge {
		if f.Knowledge, err = knowledge.NewStore(ctx, owner); err != nil {
			tb.Fatal(err)
		}
		loader := knowledge.Loader{DB: f.Readonly, Store: f.Knowledge}
		if _, err := loader.Load(ctx); err != nil {
			tb.Fatal(err)
		}
		know = f.Knowledge
	}
	f.Agent, err = agent.New(agent.Options{
		Knowledge: know,
		Model:     model, ModelName: ModelName, Prompts: ps, Catalog: f.Catalog, Memory: f.History, Recorder: f.History,
		MaxTurns: opts.MaxTurns, MaxTokens: opts.MaxTokens, Now: opts.Now,
		Tools: func(conv history.Conversation) []tools.Tool {
			set := tools.NewSet(deps, conv).Tools()
			if opts.WrapTool != nil {
				for i, t := range set {
					set[i] = opts.WrapTool(t)
				}
			}
			return set
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// demoDB is a migrated database with the demo data opts asks for.
func demoDB(tb testing.TB, opts Options) *pgtest.DB {
	tb.Helper()
	ctx := context.Background()
	db := pgtest.NewMigrated(tb)
	days, end := opts.DemoDays, opts.DemoEnd
	if days == 0 {
		days = 30
	}
	if end.IsZero() {
		end = time.Now().UTC().AddDate(0, 0, -1)
	}
	if _, err := demodata.Load(ctx, db.Pool, days, end); err != nil {
		tb.Fatal(err)
	}
	if opts.Product {
		if _, err := demodata.LoadProduct(ctx, db.Pool); err != nil {
			tb.Fatal(err)
		}
	}
	if opts.Analyze {
		if _, err := db.Pool.Exec(ctx, "ANALYZE app_metrics"); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// openAIClient is the llm client for the fake server at url.
func openAIClient(tb testing.TB, url string, opts Options) llms.Model {
	tb.Helper()
	key, deadline := opts.APIKey, opts.RetryDeadline
	if key == "" {
		key = "sk-test"
	}
	if deadline == 0 {
		deadline = 5 * time.Second
	}
	client, err := llm.New(llm.Options{
		BaseURL: url, APIKey: key, Model: ModelName,
		Retry: llm.RetryPolicy{BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond, Deadline: deadline},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return client
}

// openPool opens a pool on dsn, configured by each of configure in turn,
// and closes it when tb ends.
func openPool(ctx context.Context, tb testing.TB, dsn string, configure ...func(*pgxpool.Config)) *pgxpool.Pool {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	for _, fn := range configure {
		fn(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return pool
}
