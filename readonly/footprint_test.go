package readonly_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// hostileQuestion is what a prompt-injected model sent in issue 14: WAL
// through logical messages, transaction ids, and a recursive CTE that
// spills to temporary files.
var hostileQuestion = []string{
	"SELECT pg_logical_emit_message(false, 'x', repeat('x', 10000000)) FROM generate_series(1, 30)",
	"SELECT txid_current()",
	"SELECT pg_current_xact_id()",
	"WITH RECURSIVE r(n, s) AS (SELECT 1, repeat('x', 1000) UNION ALL SELECT n + 1, s FROM r WHERE n < 100000000) SELECT count(*) FROM r",
}

// TestHostileQuestionWritesNoWALAndBoundedTempFiles runs the hostile
// question through the bot's read path, with the statement gate and, to
// measure the database layers alone, without it, and measures what it
// wrote: WAL of logical messages (pg_walinspect, so that other tests'
// WAL does not count), the server's whole WAL (reported), and this
// database's temporary files (pg_stat_database).
func TestHostileQuestionWritesNoWALAndBoundedTempFiles(t *testing.T) {
	t.Parallel()
	for _, gate := range []bool{true, false} {
		f := setup(t, readonly.Options{Timeout: 30 * time.Second, WithoutGate: !gate})
		ctx := context.Background()
		if _, err := f.owner.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_walinspect"); err != nil {
			t.Skipf("pg_walinspect: %v", err)
		}
		// A control: the measurement sees a logical message the owner writes.
		if l, _ := logicalWAL(t, f, func() {
			if _, err := f.owner.Exec(ctx, "SELECT pg_logical_emit_message(false, 'abt-control', 'x')"); err != nil {
				t.Fatal(err)
			}
		}); l == 0 {
			t.Fatal("the WAL measurement does not see logical messages")
		}
		temp0 := tempBytes(t, f)
		var logical, total int64
		for _, sql := range hostileQuestion {
			var err error
			l, w := logicalWAL(t, f, func() { err = refused(ctx, f, sql) })
			logical, total = logical+l, total+w
			if err != nil {
				t.Errorf("gate %v: %.40s…: %v", gate, sql, err)
			}
		}
		temp1 := tempBytes(t, f)
		t.Logf("gate %v: logical-message WAL %d bytes; server WAL meanwhile %d bytes (all databases, other tests included); temp files %d MB",
			gate, logical, total, (temp1-temp0)>>20)
		if logical != 0 {
			t.Errorf("gate %v: the hostile question wrote %d bytes of logical messages to the WAL", gate, logical)
		}
		// temp_file_limit bounds the temporary space a backend holds at
		// once (refused checks that it stopped the recursive CTE); the
		// bytes written add up over the files a recursive CTE rotates
		// through, and the statistics arrive late, so the written total is
		// held to a looser bound (the issue measured 7.7 GB).
		if temp := temp1 - temp0; temp > 1<<30 {
			t.Errorf("gate %v: %d MB of temporary files, want well under the 7.7 GB unbounded (temp_file_limit 256 MB at a time)", gate, temp>>20)
		}
	}
}

// refused runs one hostile statement and says what is wrong if it was
// not refused, or not stopped by temp_file_limit when it writes temporary
// files.
func refused(ctx context.Context, f fixture, sql string) error {
	_, err := f.ro.Query(ctx, sql)
	var sqlErr *readonly.SQLError
	switch {
	case !errors.As(err, &sqlErr):
		return fmt.Errorf("err = %v, want refused", err)
	case strings.HasPrefix(sql, "WITH RECURSIVE") && !strings.Contains(sqlErr.Message, "temp_file_limit"):
		return fmt.Errorf("stopped by %v, want temp_file_limit", err)
	}
	return nil
}

// logicalWAL runs fn and returns the bytes of logical-message WAL records
// written meanwhile, and all WAL written meanwhile. The window is kept
// short, since a busy server recycles old WAL segments; a window whose
// segments are gone already is measured again.
func logicalWAL(t *testing.T, f fixture, fn func()) (logical, total int64) {
	t.Helper()
	ctx := context.Background()
	for attempt := 0; ; attempt++ {
		var start, end string
		if err := f.owner.QueryRow(ctx, "SELECT pg_current_wal_flush_lsn()::text").Scan(&start); err != nil {
			t.Fatal(err)
		}
		fn()
		// Everything inserted so far, once the WAL writer has flushed it.
		if err := f.owner.QueryRow(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&end); err != nil {
			t.Fatal(err)
		}
		for flushed := false; !flushed; time.Sleep(50 * time.Millisecond) {
			if err := f.owner.QueryRow(ctx, "SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn", end).Scan(&flushed); err != nil {
				t.Fatal(err)
			}
		}
		var moved bool
		if err := f.owner.QueryRow(ctx, "SELECT $2::pg_lsn > $1::pg_lsn", start, end).Scan(&moved); err != nil {
			t.Fatal(err)
		}
		if !moved {
			return 0, 0 // no WAL at all meanwhile
		}
		err := f.owner.QueryRow(ctx, `
			SELECT coalesce(sum(combined_size) FILTER (WHERE "resource_manager/record_type" = 'LogicalMessage'), 0)::bigint,
			       pg_wal_lsn_diff($2, $1)::bigint
			FROM pg_get_wal_stats($1, $2, false)`, start, end).Scan(&logical, &total)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "58P01" && attempt < 3 {
			continue // the server removed the window's WAL already
		}
		if err != nil {
			t.Fatal(err)
		}
		return logical, total
	}
}

// tempBytes reads this database's temporary file bytes, after waiting for
// the statistics of finished statements to arrive.
func tempBytes(t *testing.T, f fixture) int64 {
	t.Helper()
	var temp int64
	time.Sleep(1500 * time.Millisecond) // backends report statistics at most once a second
	err := f.owner.QueryRow(context.Background(),
		"SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()").Scan(&temp)
	if err != nil {
		t.Fatal(err)
	}
	return temp
}
