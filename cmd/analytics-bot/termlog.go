package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// termHandler writes log records for a person at a terminal: one line,
// "warning: message (key value, …)", no timestamps and no JSON.
type termHandler struct {
	mu    *sync.Mutex
	w     io.Writer
	level slog.Level
	attrs []slog.Attr
}

func newTermHandler(w io.Writer, level slog.Level) *termHandler {
	return &termHandler{mu: &sync.Mutex{}, w: w, level: level}
}

func (h *termHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *termHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(strings.ToLower(r.Level.String()))
	if r.Level == slog.LevelWarn {
		b.Reset()
		b.WriteString("warning")
	}
	b.WriteString(": ")
	b.WriteString(r.Message)
	var parts []string
	add := func(a slog.Attr) bool {
		parts = append(parts, a.Key+" "+a.Value.Resolve().String())
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	if len(parts) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	b.WriteString("\n")
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *termHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr{}, h.attrs...), attrs...)
	return &c
}

func (h *termHandler) WithGroup(string) slog.Handler { return h }
