package migrations_test

import (
	"context"
	"os"
	"slices"
	"testing"
)

// TestQueryHistoryMovesToTheBotSchemaWithItsRows builds a database as the
// migrations before 0005 left it (query_history in public, with rows) and
// checks that migrate moves the table into analytics_bot keeping every
// row, its identity sequence and its indexes.
func TestQueryHistoryMovesToTheBotSchemaWithItsRows(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	old := allMigrations[:4]
	if _, err := f.db.Pool.Exec(ctx, `
		CREATE SCHEMA analytics_bot;
		CREATE TABLE analytics_bot.schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, name := range old {
		body, err := os.ReadFile("sql/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Pool.Exec(ctx, string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := f.db.Pool.Exec(ctx, "INSERT INTO analytics_bot.schema_migrations (version) VALUES ($1)", name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.db.Pool.Exec(ctx, `
		INSERT INTO public.query_history (team_id, channel_id, thread_ts, question, sql, status)
		SELECT 'T1', 'C1', 't' || g, 'question ' || g, 'SELECT ' || g, 'answered' FROM generate_series(1, 3) g`); err != nil {
		t.Fatal(err)
	}

	res := f.migrate(f.db.Pool, f.options())
	if !slices.Equal(res.Applied, allMigrations[4:]) {
		t.Errorf("applied %v, want %v", res.Applied, allMigrations[4:])
	}

	var inPublic bool
	if err := f.db.Pool.QueryRow(ctx, "SELECT to_regclass('public.query_history') IS NOT NULL").Scan(&inPublic); err != nil || inPublic {
		t.Errorf("public.query_history still exists: %v, %v", inPublic, err)
	}
	var questions []string
	rows, err := f.db.Pool.Query(ctx, "SELECT question FROM analytics_bot.query_history ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			t.Fatal(err)
		}
		questions = append(questions, q)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"question 1", "question 2", "question 3"}; !slices.Equal(questions, want) {
		t.Errorf("moved rows = %v, want %v", questions, want)
	}
	// The identity keeps counting from where it was.
	var id int64
	if err := f.db.Pool.QueryRow(ctx, "INSERT INTO analytics_bot.query_history (question, status) VALUES ('next', 'answered') RETURNING id").Scan(&id); err != nil || id != 4 {
		t.Errorf("next id = %d, %v; want 4", id, err)
	}
	var indexes []string
	rows, err = f.db.Pool.Query(ctx, "SELECT indexname FROM pg_indexes WHERE schemaname = 'analytics_bot' AND tablename = 'query_history' ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		indexes = append(indexes, n)
	}
	if want := []string{"query_history_created_at_idx", "query_history_pkey", "query_history_thread_idx"}; !slices.Equal(indexes, want) {
		t.Errorf("indexes = %v, want %v", indexes, want)
	}
	assertPermissionDenied(t, f.readonlyConn(), "SELECT * FROM analytics_bot.query_history")
}
