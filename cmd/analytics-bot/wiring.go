package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/slack-go/slack"
	"github.com/tmc/langchaingo/llms"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/knowledge"
	"github.com/analytics-bot/analytics-bot/llm"
	"github.com/analytics-bot/analytics-bot/migrations"
	"github.com/analytics-bot/analytics-bot/prompts"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/schema"
	"github.com/analytics-bot/analytics-bot/telemetry"
	"github.com/analytics-bot/analytics-bot/tools"
)

// stack is everything a question needs, built by hand from the
// configuration.
type stack struct {
	cfg      *config.Config
	log      *slog.Logger
	owner    *pgxpool.Pool
	readonly *pgxpool.Pool
	db       *readonly.DB
	catalog  *schema.Cache
	history  *history.Store
	prompts  *prompts.Set
	// knowledge is the team's verified queries and glossary; loader
	// reloads them from KNOWLEDGE_DIR.
	knowledge *knowledge.Store
	loader    *knowledge.Loader
	agent     *agent.Agent
	// newAgent builds an agent whose SQL runs in one role's scope.
	newAgent func(roleScope) (*agent.Agent, error)
	// roles are the access file's data roles; nil without ACCESS_FILE.
	roles *dataRoles
}

func (s *stack) Close() {
	if s.roles != nil {
		s.roles.Close()
	}
	if s.readonly != nil {
		s.readonly.Close()
	}
	if s.owner != nil {
		s.owner.Close()
	}
}

// noKnowledge as stackOptions.knowledgeDir runs without team knowledge;
// builtinKnowledge with the demo knowledge built into the binary.
const (
	noKnowledge      = "none"
	builtinKnowledge = "built-in"
)

// stackOptions varies what newStack builds.
type stackOptions struct {
	// knowledgeDir overrides KNOWLEDGE_DIR; noKnowledge turns it off.
	knowledgeDir string
	promptsDir   string
	model        string
	files        func(conv history.Conversation) tools.FileSender
	maxConns     int32
	// tracer and meter instrument the database, the model and the tools;
	// nil leaves them bare.
	tracer trace.TracerProvider
	meter  metric.MeterProvider
	// slack resolves user groups of the access file's rules; nil where
	// there is no Slack (ask, prompt without groups).
	slack *slack.Client
}

// logReadable logs what the read-only role can read where model-written
// SQL runs, as a warning when that is nothing.
func logReadable(ctx context.Context, s *stack) error {
	readable, err := migrations.ReadableBy(ctx, s.readonly, s.cfg.ReadonlyUser)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if readable.Tables() == 0 {
		level = slog.LevelWarn
	}
	s.log.Log(ctx, level, readable.String(), slog.Int("readable_tables", readable.Tables()),
		slog.String("readonly_database", fmt.Sprintf("%s:%d/%s", s.cfg.ReadonlyHost, s.cfg.ReadonlyPort, s.cfg.ReadonlyDB)))
	return nil
}

func newStack(ctx context.Context, cfg *config.Config, log *slog.Logger, opts stackOptions) (_ *stack, err error) {
	s := &stack{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	maxConns := opts.maxConns
	if maxConns <= 0 {
		maxConns = 10
	}
	traceSQL := func(pc *pgxpool.Config) {
		if opts.tracer != nil {
			pc.ConnConfig.Tracer = telemetry.PGXTracer(opts.tracer)
		}
	}
	if s.owner, err = openOwnerPool(ctx, cfg, maxConns, traceSQL); err != nil {
		return nil, err
	}
	if s.readonly, err = openReadonlyPool(ctx, cfg, s.owner, maxConns, readonly.ConfigurePool, traceSQL); err != nil {
		return nil, err
	}
	s.db = readonly.New(s.readonly, readonly.Options{
		Timeout: cfg.QueryTimeout, MaxRows: cfg.MaxResultRows, MaxBytes: cfg.MaxResultBytes, Logger: log,
	})
	s.catalog = schema.NewCache(s.readonly, 10*time.Minute, log)
	s.history = history.NewStore(s.owner)

	promptsDir := cfg.PromptsDir
	if opts.promptsDir != "" {
		promptsDir = opts.promptsDir
	}
	if s.prompts, err = prompts.Load(promptsDir); err != nil {
		if opts.promptsDir == "" && promptsDir != "" {
			return nil, &config.Error{Variable: "PROMPTS_DIR", Problem: fmt.Sprintf("is %q, which holds no usable prompts (%v); point it at a folder of *.tmpl files such as the repository's prompts/, or unset it to use the built-in prompts", promptsDir, promptsProblem(promptsDir, err))}
		}
		return nil, err
	}
	modelName := cfg.AIModel
	if opts.model != "" {
		modelName = opts.model
	}
	prices, err := agent.ParsePrices(cfg.ModelPrices)
	if err != nil {
		return nil, &config.Error{Variable: "AI_PRICES", Problem: "is invalid: " + err.Error()}
	}
	var know agent.Knowledge // nil: no team knowledge at all
	if opts.knowledgeDir != noKnowledge {
		if s.knowledge, err = knowledge.NewStore(ctx, s.owner); err != nil {
			return nil, err
		}
		dir := cfg.KnowledgeDir
		switch opts.knowledgeDir {
		case "":
		case builtinKnowledge:
			dir = ""
		default:
			dir = opts.knowledgeDir
		}
		if opts.knowledgeDir == "" {
			if err := knowledgeDirUsable(dir); err != nil {
				return nil, err
			}
		}
		s.loader = &knowledge.Loader{Dir: dir, DB: s.db, Store: s.knowledge, Logger: log}
		if _, err := s.loader.Load(ctx); err != nil {
			return nil, fmt.Errorf("load knowledge: %w", err)
		}
		know = s.knowledge
	}
	// Without a model only questions a verified query answers exactly are
	// answered; the others end with a plain sentence saying why.
	var model llms.Model
	if cfg.Validate(config.NeedModel) == nil {
		if model, err = llm.New(llm.Options{BaseURL: cfg.OpenAIBaseURL, APIKey: cfg.OpenAIAPIKey, Model: modelName}); err != nil {
			return nil, err
		}
	}
	if opts.tracer != nil && model != nil {
		model = telemetry.TraceModel(model, opts.tracer, opts.meter, telemetry.ModelOptions{
			Model: modelName, Provider: "openai",
			Cost: func(m string, in, cached, out int) float64 {
				return prices.Cost(m, agent.Usage{InputTokens: in, CachedInputTokens: cached, OutputTokens: out})
			},
		})
	}
	s.newAgent = func(sc roleScope) (*agent.Agent, error) {
		deps := tools.Deps{
			Catalog: sc.catalog, DB: sc.db, Exporter: sc.db, History: s.history,
			ExportMaxRows: cfg.ExportMaxRows, ExportMaxBytes: cfg.ExportMaxBytes, MaxExports: cfg.MaxExportsPerQuestion,
			Logger: log,
		}
		return agent.New(agent.Options{
			Model: model, ModelName: modelName, Prompts: s.prompts, Catalog: sc.catalog, Knowledge: sc.knowledge,
			Memory: s.history, Recorder: s.history, Prices: prices, BotName: cfg.ProjectName, Logger: log,
			MaxToolCallsPerTurn: cfg.MaxToolCallsPerTurn,
			DataRole:            sc.role, NamedRole: sc.role != cfg.ReadonlyUser,
			Tools: func(conv history.Conversation) []tools.Tool {
				d := deps
				if opts.files != nil {
					d.Files = opts.files(conv)
				}
				set := tools.NewSet(d, conv).Tools()
				if opts.tracer != nil {
					for i, t := range set {
						set[i] = telemetry.TraceTool(t, opts.tracer, opts.meter)
					}
				}
				return set
			},
		})
	}
	s.agent, err = s.newAgent(roleScope{role: cfg.ReadonlyUser, db: s.db, catalog: s.catalog, knowledge: know})
	if err != nil {
		return nil, fmt.Errorf("build agent: %w", err)
	}
	if cfg.AccessFile != "" {
		if s.roles, err = newDataRoles(ctx, s, opts.slack, append([]func(*pgxpool.Config){readonly.ConfigurePool}, traceSQL)...); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// promptsProblem says briefly why a prompts folder cannot be used.
func promptsProblem(dir string, err error) string {
	info, statErr := os.Stat(dir)
	switch {
	case errors.Is(statErr, fs.ErrNotExist):
		return "no such folder"
	case statErr != nil:
		return statErr.Error()
	case !info.IsDir():
		return "not a folder"
	}
	return err.Error()
}
