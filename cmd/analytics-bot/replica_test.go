package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/pgtest"
)

// replicaSQL says where it runs: pg_is_in_recovery() is true only on a
// standby.
const replicaSQL = "SELECT pg_is_in_recovery() AS on_replica, platform, sum(dau) AS dau FROM app_metrics GROUP BY platform ORDER BY platform"

// TestModelSQLRunsOnAReadReplica starts a private primary and a streaming
// replica of it (pg_basebackup -R), points POSTGRES_* at the primary and
// POSTGRES_READONLY_HOST/PORT at the replica, and checks that an answer
// and its CSV export are read from the replica while the bot's own state
// (the question's history row, the job queue) is written to the primary.
func TestModelSQLRunsOnAReadReplica(t *testing.T) {
	t.Parallel()
	primary := pgtest.StartCluster(t)
	replica := primary.StartReplica(t)
	db := primary.NewMigrated(t)
	b := newTestBot(t, botOptions{db: db, noStart: true, env: map[string]string{
		"POSTGRES_READONLY_HOST": "127.0.0.1",
		"POSTGRES_READONLY_PORT": strconv.Itoa(replica.Port()),
	}})
	replica.CatchUp(t, primary)
	b.start()
	if b.srv.readonly.Config().ConnConfig.Port != uint16(replica.Port()) || b.srv.owner.Config().ConnConfig.Port != uint16(primary.Port()) {
		t.Fatalf("pools: read-only on port %d, owner on %d; want the replica's %d and the primary's %d",
			b.srv.readonly.Config().ConnConfig.Port, b.srv.owner.Config().ConnConfig.Port, replica.Port(), primary.Port())
	}

	const thread = "1700000901.000100"
	b.ask(replicaSQL, "Read from the replica.", "DAU by platform, and where did you read it?", thread, "")
	reqs := b.model.Requests()
	toolResult := reqs[len(reqs)-1].Messages[len(reqs[len(reqs)-1].Messages)-1].Content
	if !strings.Contains(toolResult, "true") || strings.Contains(toolResult, "false") {
		t.Errorf("the model's SQL did not run on the replica; its result was:\n%s", toolResult)
	}

	b.sendEvent(mention("export csv", "1700000901.000200", thread))
	file := b.waitForFiles(1)[0]
	want := resultCSV(t, db.Pool, replicaSQL) // on the primary: on_replica is f there
	want = bytes.ReplaceAll(want, []byte("\nf,"), []byte("\nt,"))
	checkCSV(t, file, "C100", thread, want)

	// The bot's state is on the primary (the replica could not take it).
	var questions int
	var sql string
	err := db.Pool.QueryRow(context.Background(),
		"SELECT count(*), max(sql) FROM analytics_bot.query_history WHERE thread_ts = $1 AND status = 'answered'", thread).Scan(&questions, &sql)
	if err != nil || questions != 1 || sql != replicaSQL {
		t.Errorf("query_history on the primary: %d answered rows with SQL %q (%v); want the question", questions, sql, err)
	}
	if b.jobs() < 2 {
		t.Errorf("%d jobs on the primary, want the question's and the export's", b.jobs())
	}
}
