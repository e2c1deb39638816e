package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/liveness"
	"github.com/analytics-bot/analytics-bot/migrations"
	"github.com/analytics-bot/analytics-bot/schedule"
	"github.com/analytics-bot/analytics-bot/slackbot"
	"github.com/analytics-bot/analytics-bot/slackmsg"
	"github.com/analytics-bot/analytics-bot/telemetry"
	"github.com/analytics-bot/analytics-bot/tools"
)

// Roles of a serve process: everything, only the HTTP side (queueing), or
// only the workers (for scaling out against one database).
const (
	roleAll    = "all"
	roleHTTP   = "http"
	roleWorker = "worker"
)

func runServe(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "serve", `serve [--role all|http|worker]

Runs the HTTP server on :$PORT (Slack events, interactions, the slash command,
/healthz, /readyz) and the workers that answer questions.`)
	role := fs.String("role", roleAll, "all: HTTP and workers; http: HTTP only (queues work); worker: workers only")
	if helped, err := parseFlags(fs, e, args); helped || err != nil {
		return err
	}
	srv, err := newServer(ctx, e, *role)
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}

// shutdownGrace is how long a stopping server lets running jobs finish
// before it hands them to another instance; with the handover and the
// telemetry flush it stays within systemd's TimeoutStopSec (30 s).
const shutdownGrace = 20 * time.Second

// server is a running `serve`: built by newServer, run until its context
// ends, then shut down gracefully.
type server struct {
	*stack
	role    string
	workers int
	// liveness proves this process alive while it works jobs (Run
	// registers it), so a dead one's jobs move to a live one at once.
	liveness liveness.Options
	// grace is how long Run lets running jobs finish when it stops.
	grace time.Duration
	api   *slack.Client
	self  slackbot.Identity
	queue *slackbot.Queue
	// schedules is nil when SCHEDULES=false.
	schedules *schedule.Service
	http      *http.Server
	listener  net.Listener
	shutdown  []func(context.Context) error
}

func newServer(ctx context.Context, e env, role string) (_ *server, err error) {
	if role != roleAll && role != roleHTTP && role != roleWorker {
		return nil, fmt.Errorf("%w: serve: --role must be all, http or worker", errUsage)
	}
	cfg, log, err := loadConfig(ctx, e, config.NeedDatabase|config.NeedSlack)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(config.NeedModel); err != nil {
		log.WarnContext(ctx, "no language model: only questions a verified query answers exactly get answers", slog.Any("problem", err))
	}
	start := time.Now()
	tel, metrics, err := setupTelemetry(ctx, cfg, e)
	if err != nil {
		return nil, err
	}
	api := slack.New(cfg.SlackBotToken, slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionHTTPClient(&http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport,
			otelhttp.WithTracerProvider(tel.TracerProvider()), otelhttp.WithMeterProvider(tel.MeterProvider()),
			otelhttp.WithSpanNameFormatter(slackSpanName)), Timeout: 60 * time.Second}))
	s := &server{role: role, api: api, shutdown: []func(context.Context) error{tel.Shutdown}, grace: shutdownGrace,
		liveness: liveness.Options{ClientID: liveness.NewClientID(), Metrics: metrics, Logger: log}}
	defer func() {
		if err != nil {
			_ = tel.Shutdown(context.WithoutCancel(ctx))
		}
	}()
	s.stack, err = newStack(ctx, cfg, log, stackOptions{
		maxConns: config.PoolConns,
		slack:    api,
		tracer:   tel.TracerProvider(),
		meter:    tel.MeterProvider(),
		files: func(conv history.Conversation) tools.FileSender {
			return slackbot.FileSender{API: api, ChannelID: conv.ChannelID, ThreadTS: conv.ThreadTS}
		},
	})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	authCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if s.self, err = whoAmI(authCtx, api, log); err != nil {
		return nil, err
	}

	workers := cfg.Workers
	if role == roleHTTP {
		workers = 0
	}
	s.workers = workers
	allow := allowlist(cfg)
	queueOpts := slackbot.QueueOptions{
		Workers:  workers,
		History:  s.history,
		Logger:   log,
		ClientID: s.liveness.ClientID,
		Plugins: append(telemetry.RiverPlugins(tel.TracerProvider(), tel.MeterProvider()),
			liveness.PickupHook(metrics)),
		Worker: slackbot.WorkerOptions{
			Slack: api, Agent: newMeasuredAgent(s.agent, cfg, tel, metrics, log), History: s.history, Exporter: s.db,
			ExportMaxRows: cfg.ExportMaxRows, ExportMaxBytes: cfg.ExportMaxBytes, Charts: cfg.Charts, Metrics: metrics,
			MaxQuestionsPerUser: cfg.MaxQuestionsPerUser,
			Render:              slackmsg.Renderer{Links: slackmsg.NewLinkPolicy(cfg.AllowedLinkHosts), ScheduleButton: cfg.Schedules, Verify: len(cfg.Curators) > 0},
			Feedback:            s.history, Catalog: s.catalog,
			Curators: cfg.Curators, Knowledge: s.knowledge, DownVotes: s.history,
		},
	}
	if s.roles != nil {
		measure := func(a slackbot.Answerer) slackbot.Answerer { return newMeasuredAgent(a, cfg, tel, metrics, log) }
		queueOpts.Worker.Access = measuredAccess{next: s.roles, measure: measure}
	}
	if cfg.Schedules {
		s.schedules, err = schedule.New(schedule.Options{
			Pool: s.owner, DB: s.db, History: s.history, Agent: s.agent, Slack: api,
			PerChannel: cfg.SchedulesPerChannel, Curators: cfg.Curators, Allowed: allow.Allows,
			Charts: cfg.Charts, Logger: log, Roles: scheduleRoles(s.roles),
		})
		if err != nil {
			return nil, err
		}
		queueOpts.AddWorkers, queueOpts.Queues = s.schedules.AddWorkers, schedule.QueueConfig()
	}
	s.queue, err = slackbot.NewQueue(s.owner, queueOpts)
	if err != nil {
		return nil, err
	}
	if err := observeQueueDepth(metrics, s.owner); err != nil {
		return nil, err
	}

	var dispatcher *slackbot.Dispatcher
	if role != roleWorker {
		dispatcher = s.dispatcher(allow)
	}
	s.http = &http.Server{
		Handler: slackbot.NewHandler(slackbot.ServerOptions{
			SigningSecret: cfg.SlackSigningSecret, Dispatcher: dispatcher, Ready: s.ready, ReadyDetail: s.readyDetail, Logger: log,
			Middleware: httpMiddleware(cfg, tel, metrics),
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	s.listener, err = net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		return nil, fmt.Errorf("listen on PORT %d: %w", cfg.Port, err)
	}
	if err := logReadable(ctx, s.stack); err != nil {
		return nil, err
	}
	if s.roles != nil {
		s.roles.logStatus(ctx)
	}
	log.InfoContext(ctx, "serving", slog.String("addr", s.listener.Addr().String()), slog.String("role", role),
		slog.Int("workers", workers), slog.String("bot_user", s.self.UserID), slog.Duration("startup", time.Since(start)))
	return s, nil
}

// dispatcher turns Slack deliveries into work, with scheduled questions
// when they are on.
func (s *server) dispatcher(allow slackbot.Allowlist) *slackbot.Dispatcher {
	d := slackbot.NewDispatcher(s.queue, s.self, allow, s.log)
	if s.schedules != nil {
		d.WithSchedules(s.schedules)
	}
	return d
}

// knowledgeReload is how often serve looks for changed knowledge files.
const knowledgeReload = 5 * time.Second

// Addr is the address the server listens on.
func (s *server) Addr() string { return s.listener.Addr().String() }

// ready is /readyz: the database answers and migrations are current.
func (s *server) ready(ctx context.Context) error {
	pending, err := migrations.Pending(ctx, s.owner)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("%d migration(s) pending: run 'analytics-bot migrate'", len(pending))
	}
	return nil
}

// readyDetail is /readyz's detail: what the read-only role can read where
// model-written SQL runs, and the dangerous functions it may still execute
// (where migrate could not revoke them, a DBA should; the statement gate
// refuses them meanwhile).
func (s *server) readyDetail(ctx context.Context) string {
	readable, err := migrations.ReadableBy(ctx, s.readonly, s.cfg.ReadonlyUser)
	lines := readable.String()
	if err != nil {
		lines = "readable tables: could not check (" + err.Error() + ")"
	}
	if s.roles != nil {
		lines += "\n" + s.roles.statusLines(ctx)
	}
	fns, err := migrations.StillCallable(ctx, s.owner, s.cfg.ReadonlyUser)
	switch {
	case err != nil:
		return lines + "\ndangerous functions: could not check (" + err.Error() + ")"
	case len(fns) == 0:
		return lines + "\ndangerous functions: none callable by " + s.cfg.ReadonlyUser
	}
	return lines + fmt.Sprintf("\ndangerous functions still callable by %s (refused by the statement gate; run the statements 'analytics-bot migrate' prints as a DBA): %s",
		s.cfg.ReadonlyUser, strings.Join(fns, ", "))
}

// Run serves until ctx ends, then stops taking requests, lets running
// jobs finish for the grace period, hands the rest to another instance,
// and exits.
func (s *server) Run(ctx context.Context) error {
	defer s.Close()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()

	var wg sync.WaitGroup
	var life *liveness.Instance
	if s.workers > 0 {
		var err error
		if life, err = liveness.Register(ctx, s.owner, s.liveness); err != nil {
			// Not fatal: jobs of an instance that never registered are
			// left to River's stuck-job rescue, never taken early.
			s.log.ErrorContext(ctx, "cannot prove this instance alive: if it dies, its questions wait for the stuck-job rescue (has 'analytics-bot migrate' run?)",
				slog.Any("error", err))
		}
	}
	if life != nil {
		defer func() {
			closeCtx, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer stop()
			if err := life.Close(closeCtx); err != nil {
				s.log.WarnContext(ctx, "liveness close", slog.Any("error", err))
			}
		}()
		wg.Go(func() { life.Run(runCtx) })
	}
	if err := s.queue.Start(runCtx); err != nil {
		cancel()
		wg.Wait()
		return err
	}
	// Start-up (introspection, knowledge, clients) leaves garbage the
	// idle server would otherwise hold for minutes: return it now.
	debug.FreeOSMemory()
	errs := make(chan error, 3)
	wg.Go(func() {
		if err := s.http.Serve(s.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("http server: %w", err)
		}
	})
	wg.Go(func() { s.catalog.Run(runCtx) })
	wg.Go(func() { s.loader.Watch(runCtx, knowledgeReload) })
	if s.schedules != nil && s.role != roleHTTP && s.cfg.Workers > 0 {
		wg.Go(func() { s.schedules.Planner().Run(runCtx) })
	}
	if s.cfg.SlackAppToken != "" && s.role != roleWorker {
		socketAPI := slack.New(s.cfg.SlackBotToken, slack.OptionAPIURL(s.cfg.SlackAPIURL), slack.OptionAppLevelToken(s.cfg.SlackAppToken))
		d := s.dispatcher(allowlist(s.cfg))
		wg.Go(func() {
			err := slackbot.RunSocketMode(runCtx, socketAPI, d, s.log)
			if errors.Is(err, slackbot.ErrAppTokenRejected) {
				err = &config.Error{Variable: "SLACK_APP_TOKEN", Problem: "was rejected by Slack (" + err.Error() + "): " + slackbot.AppTokenAdvice}
			}
			if err != nil {
				errs <- err
			}
		})
	}

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errs:
	}
	s.log.InfoContext(ctx, "shutting down", slog.Duration("grace", s.grace))
	graceCtx, stopGrace := context.WithTimeout(context.WithoutCancel(ctx), s.grace)
	defer stopGrace()
	if err := s.http.Shutdown(graceCtx); err != nil {
		s.log.WarnContext(ctx, "http shutdown", slog.Any("error", err))
	}
	// Jobs still running when the grace period ends are cancelled and, at
	// once, available to the other instances.
	if err := s.queue.Stop(graceCtx); err != nil {
		s.log.WarnContext(ctx, "worker shutdown", slog.Any("error", err))
	}
	cancel() // the liveness beats too: the lock goes with the connection once Run returns
	wg.Wait()
	shutdownCtx, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer stop()
	for _, fn := range s.shutdown {
		if err := fn(shutdownCtx); err != nil {
			s.log.WarnContext(ctx, "shutdown", slog.Any("error", err))
		}
	}
	return runErr
}

// whoAmI finds the bot's own Slack user with auth.test. A token Slack
// rejects is a configuration error; Slack being unreachable is not fatal:
// the bot's own messages are then recognised by their bot_id alone.
func whoAmI(ctx context.Context, api *slack.Client, log *slog.Logger) (slackbot.Identity, error) {
	auth, err := api.AuthTestContext(ctx)
	var slackErr slack.SlackErrorResponse
	switch {
	case err == nil:
		return slackbot.Identity{UserID: auth.UserID, BotID: auth.BotID, TeamID: auth.TeamID, EnterpriseID: auth.EnterpriseID}, nil
	case errors.As(err, &slackErr) && rejectedToken[slackErr.Err]:
		return slackbot.Identity{}, &config.Error{Variable: "SLACK_BOT_TOKEN", Problem: "was rejected by Slack (" + slackErr.Err + ")"}
	}
	log.WarnContext(ctx, "auth.test failed; the bot's own messages are recognised by bot_id only", slog.Any("error", err))
	return slackbot.Identity{}, nil
}

// rejectedToken lists auth.test errors that mean the token is wrong.
var rejectedToken = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true, "token_expired": true,
}

// allowlist is who may ask, from the configuration.
func allowlist(cfg *config.Config) slackbot.Allowlist {
	return slackbot.Allowlist{Channels: cfg.AllowedChannels, Users: cfg.AllowedUsers, ExternalUsers: cfg.AllowExternalUsers}
}
