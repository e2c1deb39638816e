package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/access"
	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/knowledge"
	"github.com/analytics-bot/analytics-bot/migrations"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/schedule"
	"github.com/analytics-bot/analytics-bot/schema"
	"github.com/analytics-bot/analytics-bot/slackbot"
)

// roleScope is what one role's questions run with: its own connections,
// the schema and knowledge it may see, and an agent over them.
type roleScope struct {
	role      string
	pool      *pgxpool.Pool // nil for the default read-only role, whose pool the stack owns
	db        *readonly.DB
	catalog   *schema.Cache
	knowledge agent.Knowledge
	agent     *agent.Agent
}

// Per-role pools stay small and close idle connections, so that ten data
// roles cost a few connections each only while they are in use.
const (
	rolePoolConns   = 4
	rolePoolIdleFor = time.Minute
)

// dataRoles holds the access file's policy and builds each data role's
// scope on first use.
type dataRoles struct {
	s         *stack
	policy    *access.Policy
	configure []func(*pgxpool.Config)

	mu     sync.Mutex
	scopes map[string]*roleScope
}

func newDataRoles(ctx context.Context, s *stack, client *slack.Client, configure ...func(*pgxpool.Config)) (*dataRoles, error) {
	f, err := loadAccessFile(s.cfg)
	if err != nil {
		return nil, err
	}
	var groups access.GroupMembers
	if client != nil {
		groups = access.NewSlackGroups(client, 0)
	}
	return &dataRoles{s: s, policy: access.NewPolicy(f, groups), configure: configure, scopes: map[string]*roleScope{}}, nil
}

// loadAccessFile reads ACCESS_FILE; its problems are configuration errors.
func loadAccessFile(cfg *config.Config) (*access.File, error) {
	f, err := readAccessFile(cfg)
	var problems access.Problems
	if errors.As(err, &problems) {
		return nil, &config.Error{Variable: "ACCESS_FILE", Problem: "has problems (run 'analytics-bot access check'):\n" + problems.Error()}
	}
	return f, err
}

// readAccessFile reads and validates ACCESS_FILE, returning its
// access.Problems as they are; a file that cannot be read is a
// configuration error naming the variable.
func readAccessFile(cfg *config.Config) (*access.File, error) {
	f, err := access.Load(cfg.AccessFile, cfg.ReadonlyUser, cfg.PostgresUser)
	var problems access.Problems
	switch {
	case errors.As(err, &problems):
		return nil, err
	case err != nil:
		return nil, &config.Error{Variable: "ACCESS_FILE", Problem: fmt.Sprintf("is %q, which cannot be read (%v); point it at the access file (format in the README)", cfg.AccessFile, err)}
	}
	return f, nil
}

// scope returns role's scope, connecting on first use.
func (d *dataRoles) scope(ctx context.Context, role string) (*roleScope, error) {
	if role == d.s.cfg.ReadonlyUser {
		return &roleScope{role: role, db: d.s.db, catalog: d.s.catalog, agent: d.s.agent}, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if sc, ok := d.scopes[role]; ok {
		return sc, nil
	}
	password, err := d.password(ctx, role)
	if err != nil {
		return nil, err
	}
	// The role's defaults first, so that a caller's configure (a test's
	// shorter idle time) wins.
	configure := append([]func(*pgxpool.Config){func(pc *pgxpool.Config) {
		pc.MinConns = 0
		pc.MaxConnIdleTime = rolePoolIdleFor
		pc.HealthCheckPeriod = rolePoolIdleFor / 2
	}}, d.configure...)
	pool, err := openPool(ctx, d.s.cfg.RoleDSN(role, password), rolePoolConns, "data role "+role, configure...)
	if err != nil {
		return nil, err
	}
	cfg := d.s.cfg
	db := readonly.New(pool, readonly.Options{Timeout: cfg.QueryTimeout, MaxRows: cfg.MaxResultRows, MaxBytes: cfg.MaxResultBytes, Logger: d.s.log})
	sc := &roleScope{role: role, pool: pool, db: db, catalog: schema.NewCache(pool, 10*time.Minute, d.s.log)}
	if d.s.knowledge != nil {
		sc.knowledge = knowledge.NewScoped(d.s.knowledge, db)
	}
	if sc.agent, err = d.s.newAgent(*sc); err != nil {
		pool.Close()
		return nil, fmt.Errorf("build the agent of data role %s: %w", role, err)
	}
	d.scopes[role] = sc
	return sc, nil
}

// password is POSTGRES_ROLE_PASSWORD_<NAME>, or on a developer machine the
// one migrate generated and kept.
func (d *dataRoles) password(ctx context.Context, role string) (string, error) {
	if p := d.s.cfg.RolePassword(role); p != "" {
		return p, nil
	}
	variable := config.RolePasswordVariable(role)
	if !d.s.cfg.IsLocal() {
		return "", &config.Error{Variable: variable, Problem: "is not set (required outside ENVIRONMENT=local for data role " + role + ")"}
	}
	kept, err := migrations.LocalPassword(ctx, d.s.owner, role)
	if err != nil {
		return "", err
	}
	if kept == "" {
		return "", &config.Error{Variable: variable, Problem: "is not set and no local password was generated: run 'analytics-bot migrate' first"}
	}
	return kept, nil
}

// Scope implements slackbot.Access: the conversation's data role, whether
// the asker may use it, and that role's agent and exporter.
func (d *dataRoles) Scope(ctx context.Context, conv history.Conversation) (slackbot.Scope, error) {
	dec, err := d.policy.Resolve(ctx, d.s.history, conv)
	if err != nil {
		return slackbot.Scope{}, err
	}
	sc, err := d.scope(ctx, dec.Role)
	if err != nil {
		return slackbot.Scope{}, err
	}
	return slackbot.Scope{Role: dec.Role, Allowed: dec.Allowed, Agent: sc.agent, Exporter: sc.db}, nil
}

// RoleStatus is whether one data role can connect and what it can read.
type RoleStatus struct {
	Role     string
	Readable migrations.Readable
	Err      error
}

// Status connects as every role of the access file (the default too) and
// says what each can read, for /readyz and the start-up log.
func (d *dataRoles) Status(ctx context.Context) []RoleStatus {
	names := []string{d.policy.Default()}
	for _, r := range d.policy.File().Roles {
		if r.Name != d.policy.Default() {
			names = append(names, r.Name)
		}
	}
	var out []RoleStatus
	for _, name := range names {
		st := RoleStatus{Role: name}
		sc, err := d.scope(ctx, name)
		if err == nil {
			pool := sc.pool
			if pool == nil {
				pool = d.s.readonly
			}
			st.Readable, err = migrations.ReadableBy(ctx, pool, name)
		}
		st.Err = err
		out = append(out, st)
	}
	return out
}

// statusLines is /readyz's account of the data roles, one line each.
func (d *dataRoles) statusLines(ctx context.Context) string {
	var lines []string
	for _, st := range d.Status(ctx) {
		if st.Err != nil {
			lines = append(lines, fmt.Sprintf("data role %s: cannot connect (%v)", st.Role, st.Err))
			continue
		}
		lines = append(lines, fmt.Sprintf("data role %s: connects; %s", st.Role, st.Readable.String()))
	}
	return strings.Join(lines, "\n")
}

// measuredAccess traces and counts the questions of every data role's
// agent as serve does the default one's.
type measuredAccess struct {
	next    slackbot.Access
	measure func(slackbot.Answerer) slackbot.Answerer
}

func (m measuredAccess) Scope(ctx context.Context, conv history.Conversation) (slackbot.Scope, error) {
	sc, err := m.next.Scope(ctx, conv)
	if err == nil && sc.Agent != nil {
		sc.Agent = m.measure(sc.Agent)
	}
	return sc, err
}

// logStatus logs each data role's status at start.
func (d *dataRoles) logStatus(ctx context.Context) {
	for _, st := range d.Status(ctx) {
		if st.Err != nil {
			d.s.log.WarnContext(ctx, "data role cannot connect", slog.String("role", st.Role), slog.Any("error", st.Err))
			continue
		}
		d.s.log.InfoContext(ctx, st.Readable.String(), slog.String("data_role", st.Role), slog.Int("readable_tables", st.Readable.Tables()))
	}
}

// Close closes every data role's pool.
func (d *dataRoles) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, sc := range d.scopes {
		if sc.pool != nil {
			sc.pool.Close()
		}
	}
}

// ForChannel implements schedule.DataRoles: a delivery runs as its
// channel's data role, which its creator must be allowed.
func (d *dataRoles) ForChannel(ctx context.Context, channelID, creatorID string) (string, schedule.Querier, error) {
	dec, err := d.policy.Decide(ctx, access.Asker{ChannelID: channelID, UserID: creatorID})
	if err != nil {
		return "", nil, err
	}
	if !dec.Allowed {
		return dec.Role, nil, fmt.Errorf("%w: %s may not use %s", schedule.ErrRoleRefused, creatorID, dec.Role)
	}
	sc, err := d.scope(ctx, dec.Role)
	if err != nil {
		return "", nil, err
	}
	return dec.Role, sc.db, nil
}

// scheduleRoles is d as schedule.DataRoles, or nil without an access file
// (a nil *dataRoles in the interface would not be nil).
func scheduleRoles(d *dataRoles) schedule.DataRoles {
	if d == nil {
		return nil
	}
	return d
}
