package fake

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
)

// LogSink collects log output written from several goroutines, for tests
// that assert on what was logged.
type LogSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *LogSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything logged so far.
func (l *LogSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Lines is everything logged so far, one entry a line.
func (l *LogSink) Lines() []string {
	return strings.Split(strings.TrimSpace(l.String()), "\n")
}

// Logger is a debug-level text logger writing into the sink.
func (l *LogSink) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
