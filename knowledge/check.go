package knowledge

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// Preparer proves that SQL is one row-returning statement the read-only
// role may run, without running it; *readonly.DB is one.
type Preparer interface {
	Check(ctx context.Context, sql string) ([]readonly.Column, error)
}

// Verify prepares every verified query of the set as the read-only role
// and returns the set without the ones that fail, and a problem for each
// of those. The error is for a database that cannot be reached.
func Verify(ctx context.Context, set *Set, db Preparer) (*Set, Problems, error) {
	const parallel = 4
	errs := make([]error, len(set.Verified))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, v := range set.Verified {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			_, errs[i] = db.Check(ctx, v.SQL)
		})
	}
	wg.Wait()

	out := &Set{Source: set.Source, Terms: set.Terms}
	var problems Problems
	for i, v := range set.Verified {
		var sqlErr *readonly.SQLError
		switch {
		case errs[i] == nil:
			out.Verified = append(out.Verified, v)
		case errors.As(errs[i], &sqlErr):
			problems = append(problems, Problem{File: v.File, Line: v.Line, ID: v.ID,
				Message: "the SQL does not prepare as the read-only role: " + sqlErr.Message})
		default:
			return nil, nil, fmt.Errorf("check verified query %s: %w", v.ID, errs[i])
		}
	}
	return out, problems, nil
}
