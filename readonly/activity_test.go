package readonly_test

import (
	"context"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/readonly"
)

// TestQuestionsCannotReadEachOthersSQL: the read-only role's sessions do
// not report what they run (track_activities off on the role), so not even
// a superuser looking at pg_stat_activity, let alone another question's
// session, sees a running question's SQL. This layer holds without the
// statement gate and without the revoked functions.
func TestQuestionsCannotReadEachOthersSQL(t *testing.T) {
	t.Parallel()
	f := setup(t, readonly.Options{Timeout: 5 * time.Second})
	ctx := context.Background()
	const marker = "secret_marker_of_another_question"
	done := make(chan error, 1)
	go func() {
		// Slow without pg_sleep, which the statement gate refuses.
		_, err := f.ro.Query(ctx, "SELECT count(*) FROM generate_series(1, 4000) a, generate_series(1, 4000) b WHERE a + b = -1 OR a::text = '"+marker+"'")
		done <- err
	}()

	var sessions int
	var seen bool
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && sessions == 0 {
		err := f.owner.QueryRow(ctx, `
			SELECT count(*), coalesce(bool_or(coalesce(query, '') LIKE '%'||$2||'%'), false)
			FROM pg_stat_activity WHERE usename = $1 AND datname = current_database()`,
			pgtest.ReadonlyUser, marker).Scan(&sessions, &seen)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := <-done; err != nil {
		t.Logf("the slow question ended with: %v", err)
	}
	if sessions == 0 {
		t.Fatal("no session of the read-only role showed up in pg_stat_activity while it ran")
	}
	if seen {
		t.Errorf("pg_stat_activity shows the running question's SQL (marker %q); want the role's activity untracked", marker)
	}
}
