package knowledge

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Loader reads a knowledge folder, checks it against the database and
// stores what is sound; Watch repeats that whenever the files change.
type Loader struct {
	// Dir is KNOWLEDGE_DIR; empty loads the built-in demo knowledge.
	Dir string
	// DB prepares verified queries as the read-only role.
	DB     Preparer
	Store  *Store
	Logger *slog.Logger

	mu sync.Mutex
	// loaded is the files' stamp as the last successful Load read them:
	// Watch starts from it, so a change made between that Load and the
	// watcher's first look is not taken for the state already loaded.
	loaded string
}

// Report says what a load found.
type Report struct {
	Source   string
	Verified int
	Terms    int
	// Problems are the entries left out, with file and line.
	Problems Problems
	// Changed is true when the stored knowledge changed.
	Changed bool
}

// Load reads, checks and stores the knowledge. Broken entries are left
// out and reported (and logged); the rest is live at once.
func (l *Loader) Load(ctx context.Context) (Report, error) {
	stamp := ""
	if l.Dir != "" {
		stamp = l.stamp() // before reading: a later change is seen as one
	}
	set, problems, err := Load(l.Dir)
	if err != nil {
		return Report{}, err
	}
	good, broken, err := Verify(ctx, set, l.DB)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Source: set.Source, Verified: len(good.Verified), Terms: len(good.Terms), Problems: append(problems, broken...)}
	if l.Store != nil {
		if rep.Changed, err = l.Store.Sync(ctx, good); err != nil {
			return rep, err
		}
	}
	log := l.logger()
	for _, p := range rep.Problems {
		log.WarnContext(ctx, "knowledge entry left out", slog.String("problem", p.String()))
	}
	l.mu.Lock()
	l.loaded = stamp
	l.mu.Unlock()
	if rep.Changed {
		log.InfoContext(ctx, "knowledge loaded", slog.String("source", rep.Source),
			slog.Int("verified", rep.Verified), slog.Int("terms", rep.Terms), slog.Int("problems", len(rep.Problems)))
	}
	return rep, nil
}

// Watch reloads the knowledge whenever a file of Dir changes, checking
// every interval, until ctx ends. The built-in knowledge never changes.
func (l *Loader) Watch(ctx context.Context, interval time.Duration) {
	if l.Dir == "" {
		return
	}
	l.mu.Lock()
	last := l.loaded
	l.mu.Unlock()
	if last == "" {
		last = l.stamp() // never loaded here: start from the files as they are
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		now := l.stamp()
		if now == last {
			continue
		}
		if _, err := l.Load(ctx); err != nil {
			l.logger().ErrorContext(ctx, "could not reload the knowledge", slog.Any("error", err))
			continue // try again on the next tick
		}
		last = now
	}
}

// stamp sums up the files' sizes and modification times.
func (l *Loader) stamp() string {
	var s string
	for _, name := range []string{VerifiedFile, GlossaryFile} {
		info, err := os.Stat(filepath.Join(l.Dir, name))
		if err != nil {
			s += name + ":missing;"
			continue
		}
		s += fmt.Sprintf("%s:%d:%d;", name, info.Size(), info.ModTime().UnixNano())
	}
	return s
}

func (l *Loader) logger() *slog.Logger {
	if l.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Logger
}
