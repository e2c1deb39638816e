package readonly_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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
		startLSN, temp0 := walAndTemp(t, f)
		for _, sql := range hostileQuestion {
			_, err := f.ro.Query(ctx, sql)
			var sqlErr *readonly.SQLError
			if !errors.As(err, &sqlErr) {
				t.Errorf("gate %v: %.40s…: err = %v, want refused", gate, sql, err)
			}
			if strings.HasPrefix(sql, "WITH RECURSIVE") && !gate && (sqlErr == nil || !strings.Contains(sqlErr.Message, "temp_file_limit")) {
				t.Errorf("without the gate the recursive CTE was stopped by %v, want temp_file_limit", err)
			}
		}
		endLSN, temp1 := walAndTemp(t, f)
		var logical, total int64
		err := f.owner.QueryRow(ctx, `
			SELECT coalesce(sum(combined_size) FILTER (WHERE "resource_manager/record_type" = 'LogicalMessage'), 0)::bigint,
			       pg_wal_lsn_diff($2, $1)::bigint
			FROM pg_get_wal_stats($1, $2, false)`, startLSN, endLSN).Scan(&logical, &total)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("gate %v: logical-message WAL %d bytes; server WAL meanwhile %d bytes (all databases, other tests included); temp files %d MB",
			gate, logical, total, (temp1-temp0)>>20)
		if logical != 0 {
			t.Errorf("gate %v: the hostile question wrote %d bytes of logical messages to the WAL", gate, logical)
		}
		if temp := temp1 - temp0; temp > 300<<20 {
			t.Errorf("gate %v: %d MB of temporary files, want at most temp_file_limit (256 MB)", gate, temp>>20)
		}
	}
}

// walAndTemp reads the WAL position and this database's temporary file
// bytes, waiting for the statistics of finished statements to arrive.
func walAndTemp(t *testing.T, f fixture) (string, int64) {
	t.Helper()
	ctx := context.Background()
	var lsn string
	var temp int64
	time.Sleep(1500 * time.Millisecond) // backends report statistics at most once a second
	err := f.owner.QueryRow(ctx, `
		SELECT pg_current_wal_flush_lsn()::text,
		       (SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database())`).Scan(&lsn, &temp)
	if err != nil {
		t.Fatal(err)
	}
	return lsn, temp
}
