package slackbot

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/slack-go/slack"
)

// maxBodyBytes caps a Slack request; real ones are a few kilobytes.
const maxBodyBytes = 1 << 20

// Readiness reports whether the bot can do its work (database reachable,
// migrations current).
type Readiness func(ctx context.Context) error

// ServerOptions configures the HTTP handler.
type ServerOptions struct {
	SigningSecret string
	Dispatcher    *Dispatcher
	Ready         Readiness
	// ReadyDetail, when set, adds a line to /readyz's body (what is
	// still weaker than it should be); it never makes /readyz fail.
	ReadyDetail func(ctx context.Context) string
	Logger      *slog.Logger
	// Middleware runs before the routes (tracing, metrics).
	Middleware []gin.HandlerFunc
}

// NewHandler returns the HTTP handler of `serve`.
func NewHandler(opts ServerOptions) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.CustomRecovery(func(c *gin.Context, _ any) {
		c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": "internal error"})
	}))
	r.Use(opts.Middleware...)
	h := &handler{ServerOptions: opts}
	if h.Logger == nil {
		h.Logger = slog.New(slog.DiscardHandler)
	}
	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.GET("/readyz", h.readyz)
	if opts.Dispatcher == nil {
		return r // a worker-only process serves health checks only
	}
	slackRoutes := r.Group("/slack", h.verify)
	slackRoutes.POST("/events", h.events)
	slackRoutes.POST("/interactions", h.interactions)
	slackRoutes.POST("/commands", h.commands)
	return r
}

type handler struct {
	ServerOptions
}

func (h *handler) readyz(c *gin.Context) {
	if h.Ready == nil {
		c.String(http.StatusOK, "ready")
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.Ready(ctx); err != nil {
		h.Logger.WarnContext(ctx, "not ready", slog.Any("error", err))
		c.String(http.StatusServiceUnavailable, "not ready")
		return
	}
	if h.ReadyDetail != nil {
		c.String(http.StatusOK, "ready\n"+h.ReadyDetail(ctx)+"\n")
		return
	}
	c.String(http.StatusOK, "ready")
}

// verify checks Slack's v0 signature over the raw body before anything is
// parsed, then puts the body back for the handler.
func (h *handler) verify(c *gin.Context) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	if err != nil {
		c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, gin.H{"error": "request too large"})
		return
	}
	verifier, err := slack.NewSecretsVerifier(c.Request.Header, h.SigningSecret)
	if err == nil {
		_, err = verifier.Write(body)
	}
	if err == nil {
		err = verifier.Ensure()
	}
	if err != nil {
		h.Logger.WarnContext(c.Request.Context(), "rejected an unsigned or badly signed Slack request",
			slog.String("path", c.Request.URL.Path), slog.String("reason", err.Error()))
		c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "invalid signature"})
		return
	}
	c.Set(rawBodyKey, body)
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
}

const rawBodyKey = "slack_raw_body"

func rawBody(c *gin.Context) []byte {
	b, _ := c.Get(rawBodyKey)
	body, _ := b.([]byte)
	return body
}

func (h *handler) events(c *gin.Context) {
	challenge, err := h.Dispatcher.Event(c.Request.Context(), rawBody(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	if challenge != "" {
		c.JSON(http.StatusOK, gin.H{"challenge": challenge})
		return
	}
	c.Status(http.StatusOK)
}

func (h *handler) interactions(c *gin.Context) {
	form, err := url.ParseQuery(string(rawBody(c)))
	if err != nil || form.Get("payload") == "" {
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": "missing payload"})
		return
	}
	cb, err := ParseInteraction([]byte(form.Get("payload")))
	if err != nil {
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": "malformed payload"})
		return
	}
	resp, err := h.Dispatcher.Respond(c.Request.Context(), cb)
	if err != nil {
		h.fail(c, err)
		return
	}
	if resp != nil {
		c.JSON(http.StatusOK, resp)
		return
	}
	c.Status(http.StatusOK)
}

func (h *handler) commands(c *gin.Context) {
	form, err := url.ParseQuery(string(rawBody(c)))
	if err != nil {
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": "malformed form"})
		return
	}
	cmd := slack.SlashCommand{
		Token: form.Get("token"), TeamID: form.Get("team_id"), TeamDomain: form.Get("team_domain"),
		ChannelID: form.Get("channel_id"), ChannelName: form.Get("channel_name"), UserID: form.Get("user_id"),
		UserName: form.Get("user_name"), Command: form.Get("command"), Text: form.Get("text"),
		ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id"), APIAppID: form.Get("api_app_id"),
	}
	reply, err := h.Dispatcher.Reply(c.Request.Context(), cmd)
	if err != nil {
		h.fail(c, err)
		return
	}
	if reply == nil {
		c.Status(http.StatusOK)
		return
	}
	c.JSON(http.StatusOK, replyBody(reply))
}

// fail answers 400 for what Slack sent wrong and 503 when the work could
// not be queued, so that Slack retries.
func (h *handler) fail(c *gin.Context, err error) {
	if errors.Is(err, ErrBadRequest) {
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": "bad request"})
		return
	}
	h.Logger.ErrorContext(c.Request.Context(), "could not queue Slack work", slog.Any("error", err))
	c.AbortWithStatusJSON(http.StatusServiceUnavailable, gin.H{"error": "try again"})
}
