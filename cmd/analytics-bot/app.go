package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/migrations"
	"github.com/analytics-bot/analytics-bot/telemetry"
)

// loadConfig resolves and validates the configuration for a command and
// logs it once, secrets masked.
func loadConfig(ctx context.Context, e env, need config.Requirement) (*config.Config, *slog.Logger, error) {
	var source config.ParameterSource
	if prefix, _ := e.lookup("SSM_PREFIX"); prefix != "" {
		ssmSource, err := config.NewSSM(ctx, e.lookup)
		if err != nil {
			return nil, nil, err
		}
		source = ssmSource
	}
	cfg, err := config.Load(ctx, e.lookup, source)
	if err != nil {
		return nil, nil, err
	}
	if err := cfg.Validate(need); err != nil {
		return nil, nil, err
	}
	level := slog.LevelInfo
	if cfg.Debug {
		level = slog.LevelDebug
	}
	logger := slog.New(telemetry.NewLogHandler(e.stderr, level))
	logger.DebugContext(ctx, "configuration", slog.Any("config", *cfg))
	return cfg, logger, nil
}

// openOwnerPool connects as the application's own role.
func openOwnerPool(ctx context.Context, cfg *config.Config, maxConns int32, configure ...func(*pgxpool.Config)) (*pgxpool.Pool, error) {
	return openPool(ctx, cfg.PostgresDSN(), maxConns, "POSTGRES_USER "+cfg.PostgresUser, configure...)
}

// openReadonlyPool connects as the read-only role. On a developer machine
// without POSTGRES_READONLY_PASSWORD it uses the password migrate kept.
func openReadonlyPool(ctx context.Context, cfg *config.Config, owner *pgxpool.Pool, maxConns int32, configure ...func(*pgxpool.Config)) (*pgxpool.Pool, error) {
	if cfg.ReadonlyPassword == "" {
		if !cfg.IsLocal() {
			return nil, &config.Error{Variable: "POSTGRES_READONLY_PASSWORD", Problem: "is not set (required outside ENVIRONMENT=local)"}
		}
		kept, err := migrations.LocalPassword(ctx, owner, cfg.ReadonlyUser)
		if err != nil {
			return nil, fmt.Errorf("%w (has 'analytics-bot migrate' run?)", err)
		}
		if kept == "" {
			return nil, &config.Error{Variable: "POSTGRES_READONLY_PASSWORD", Problem: "is not set and no local password was generated: run 'analytics-bot migrate' first"}
		}
		cfg.ReadonlyPassword = kept
	}
	return openPool(ctx, cfg.ReadonlyDSN(), maxConns, "POSTGRES_READONLY_USER "+cfg.ReadonlyUser, configure...)
}

func openPool(ctx context.Context, dsn string, maxConns int32, who string, configure ...func(*pgxpool.Config)) (*pgxpool.Pool, error) {
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database settings: %w", err)
	}
	for _, fn := range configure {
		fn(pcfg)
	}
	if maxConns > 0 {
		pcfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL as %s: %w", who, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, connectError(err, pcfg.ConnConfig.Host, int(pcfg.ConnConfig.Port), who)
	}
	return pool, nil
}

// ensureDatabase creates POSTGRES_DB when it does not exist yet and the
// user may create databases, so that a fresh machine needs no manual step.
func ensureDatabase(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	conn, err := pgx.Connect(ctx, cfg.PostgresDSN())
	if err == nil {
		return conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
		return connectError(err, cfg.PostgresHost, cfg.PostgresPort, "POSTGRES_USER "+cfg.PostgresUser)
	}
	adminCfg := *cfg
	adminCfg.PostgresDB = "postgres"
	admin, err := pgx.Connect(ctx, adminCfg.PostgresDSN())
	if err != nil {
		return fmt.Errorf("database %s does not exist and cannot be created: %w", cfg.PostgresDB,
			connectError(err, cfg.PostgresHost, cfg.PostgresPort, "POSTGRES_USER "+cfg.PostgresUser))
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{cfg.PostgresDB}.Sanitize()); err != nil {
		return fmt.Errorf("create database %s: %w", cfg.PostgresDB, err)
	}
	log.InfoContext(ctx, "created database", slog.String("database", cfg.PostgresDB))
	return nil
}
