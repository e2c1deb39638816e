package knowledge

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// Scoped is the store as one data role sees it: verified queries that the
// role cannot run (a table it may not read) are never retrieved, matched
// or named, so the model is not told of tables outside its role.
type Scoped struct {
	store *Store
	db    Preparer

	mu      sync.Mutex
	checked map[string]checkedSQL
}

type checkedSQL struct {
	ok bool
	at time.Time
}

// scopedTTL is how long a role's verdict on one query is kept: grants
// change rarely, and a DBA's change shows within this time.
const scopedTTL = 10 * time.Minute

// NewScoped returns store seen through db, a pool logged in as the role.
func NewScoped(store *Store, db Preparer) *Scoped {
	return &Scoped{store: store, db: db, checked: map[string]checkedSQL{}}
}

// Exact is Store.Exact, when the role may run the match.
func (s *Scoped) Exact(ctx context.Context, question string) (*Verified, error) {
	v, err := s.store.Exact(ctx, question)
	if err != nil || v == nil {
		return v, err
	}
	return s.keep(ctx, v)
}

// BySQL is Store.BySQL, when the role may run the match.
func (s *Scoped) BySQL(ctx context.Context, sql string) (*Verified, error) {
	v, err := s.store.BySQL(ctx, sql)
	if err != nil || v == nil {
		return v, err
	}
	return s.keep(ctx, v)
}

// Search is Store.Search without the verified queries the role may not
// run; it asks the store for more so that k can still be filled.
func (s *Scoped) Search(ctx context.Context, text string, k int) (Retrieval, error) {
	r, err := s.store.Search(ctx, text, 3*k)
	if err != nil {
		return r, err
	}
	kept := r.Verified[:0]
	for _, m := range r.Verified {
		ok, err := s.runnable(ctx, m.SQL)
		if err != nil {
			return Retrieval{}, err
		}
		if ok && len(kept) < k {
			kept = append(kept, m)
		}
	}
	r.Verified = kept
	return r, nil
}

func (s *Scoped) keep(ctx context.Context, v *Verified) (*Verified, error) {
	ok, err := s.runnable(ctx, v.SQL)
	if err != nil || !ok {
		return nil, err
	}
	return v, nil
}

// runnable prepares sql as the role, remembering the verdict. A statement
// the database refuses is not runnable; a database that cannot be reached
// is an error.
func (s *Scoped) runnable(ctx context.Context, sql string) (bool, error) {
	s.mu.Lock()
	c, ok := s.checked[sql]
	s.mu.Unlock()
	if ok && time.Since(c.at) < scopedTTL {
		return c.ok, nil
	}
	_, err := s.db.Check(ctx, sql)
	var sqlErr *readonly.SQLError
	switch {
	case err == nil:
	case errors.As(err, &sqlErr):
	default:
		return false, err
	}
	s.mu.Lock()
	s.checked[sql] = checkedSQL{ok: err == nil, at: time.Now()}
	s.mu.Unlock()
	return err == nil, nil
}
