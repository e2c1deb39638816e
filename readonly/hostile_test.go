package readonly_test

// layer names what stops a hostile statement.
type layer int

const (
	// byGate: the statement gate refuses it before it reaches PostgreSQL.
	byGate layer = 1 << iota
	// byDB: PostgreSQL refuses or stops it on its own: the role's
	// privileges (with migrate's revocations), the read-only transaction,
	// the statement timeout, temp_file_limit, or the bot's byte budget.
	byDB
)

// hostile lists statements a prompt-injected model might send. None may
// change anything, read outside the grant, write WAL, burn transaction
// ids, see other sessions or hold the bot's memory. The list grows with
// every finding; stops says which layers must hold on their own.
var hostile = []struct {
	name  string
	sql   string
	stops layer
}{
	{"drop", "DROP TABLE app_metrics", byGate | byDB},
	{"delete", "DELETE FROM app_metrics", byGate | byDB},
	{"update", "UPDATE app_metrics SET dau = 0", byGate | byDB},
	{"insert", "INSERT INTO app_metrics (day, platform, country, dau, new_users, sessions, revenue_usd, crashes) VALUES ('2020-01-01','ios','US',1,1,1,1,1)", byGate | byDB},
	{"truncate", "TRUNCATE app_metrics", byGate | byDB},
	{"create table", "CREATE TABLE evil (x int)", byGate | byDB},
	{"create temp table", "CREATE TEMP TABLE evil AS SELECT 1", byGate | byDB},
	{"alter", "ALTER TABLE app_metrics ADD COLUMN evil int", byGate | byDB},
	{"grant", "GRANT ALL ON app_metrics TO PUBLIC", byGate | byDB},
	{"data-modifying cte", "WITH d AS (DELETE FROM app_metrics RETURNING *) SELECT count(*) FROM d", byGate | byDB},
	{"nested data-modifying cte", "WITH a AS (SELECT 1), b AS (UPDATE app_metrics SET dau = 0 RETURNING 1) SELECT * FROM a", byGate | byDB},
	{"two statements", "SELECT 1; DELETE FROM app_metrics", byGate | byDB},
	{"set role", "SET ROLE postgres", byGate | byDB},
	{"reset role", "RESET ROLE", byGate | byDB},
	{"set_config role", "SELECT set_config('role', 'postgres', false)", byGate | byDB},
	{"set_config timeout", "SELECT set_config('statement_timeout', '0', false)", byGate},
	{"set local", "SET LOCAL statement_timeout = 0", byGate | byDB},
	{"do block", "DO $$BEGIN PERFORM 1; END$$", byGate | byDB},
	{"prepare", "PREPARE evil AS SELECT 1", byGate | byDB},
	{"call", "CALL evil()", byGate | byDB},
	{"notify", "NOTIFY evil, 'x'", byGate | byDB},
	{"listen", "LISTEN evil", byGate | byDB},
	{"copy to program", "COPY app_metrics TO PROGRAM 'touch /tmp/abt-pwned'", byGate | byDB},
	{"copy to file", "COPY app_metrics TO '/tmp/abt-pwned.csv'", byGate | byDB},
	{"pg_read_file", "SELECT pg_read_file('/etc/passwd')", byGate | byDB},
	{"pg_ls_dir", "SELECT pg_ls_dir('.')", byGate | byDB},
	{"lo_import", "SELECT lo_import('/etc/passwd')", byGate | byDB},
	{"lo_create", "SELECT lo_create(0)", byGate | byDB},
	{"query_history", "SELECT * FROM query_history", byDB},
	{"analytics_bot.query_history", "SELECT * FROM analytics_bot.query_history", byDB},
	{"job tables", "SELECT * FROM analytics_bot.river_job", byDB},
	{"settings table", "TABLE analytics_bot.settings", byDB},
	{"sleep past timeout", "SELECT pg_sleep(10)", byGate | byDB},
	{"generate_series bomb", "SELECT count(*) FROM generate_series(1, 100000000000) g", byDB},
	{"create function", "CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'", byGate | byDB},
	{"vacuum", "VACUUM app_metrics", byGate | byDB},
	{"select into", "SELECT * INTO evil FROM app_metrics", byGate | byDB},
	{"for update", "SELECT * FROM app_metrics FOR UPDATE", byGate | byDB},
	{"for share in a subquery", "SELECT * FROM (SELECT day FROM app_metrics FOR SHARE) s", byGate | byDB},
	{"lock table", "LOCK TABLE app_metrics IN ACCESS EXCLUSIVE MODE", byGate | byDB},
	{"dblink-style extension", "CREATE EXTENSION dblink", byGate | byDB},
	{"explain analyze delete", "EXPLAIN ANALYZE DELETE FROM app_metrics", byGate | byDB},
	// WAL and transaction ids (issue 14, high 2): refused by the gate and,
	// in a database the bot owns, by migrate's REVOKE from PUBLIC.
	{"logical message", "SELECT pg_logical_emit_message(false, 'x', repeat('x', 1000000)) FROM generate_series(1, 30)", byGate | byDB},
	{"logical message qualified", "SELECT pg_catalog.pg_logical_emit_message(true, 'x', 'y')", byGate | byDB},
	{"txid_current", "SELECT txid_current()", byGate | byDB},
	{"pg_current_xact_id nested", "SELECT (SELECT pg_current_xact_id()) AS x", byGate | byDB},
	{"xid in values", "VALUES (1, txid_current())", byGate | byDB},
	// nested SQL and other sessions (issue 14, medium 4 and low 10)
	{"query_to_xml", "SELECT query_to_xml('SELECT 1; SELECT 2', true, false, '')", byGate | byDB},
	{"database_to_xml", "SELECT database_to_xml(true, false, '')", byGate | byDB},
	{"stat activity function", "SELECT * FROM pg_stat_get_activity(NULL)", byGate | byDB},
	{"stat activity in a lateral join", "SELECT a.query FROM generate_series(1, 2) g, LATERAL pg_catalog.pg_stat_get_activity(NULL) a", byGate | byDB},
	{"clear stats snapshot", "SELECT pg_stat_clear_snapshot()", byGate | byDB},
	{"stat activity view", "SELECT query FROM pg_stat_activity", byGate},
	{"activity counts on hidden tables", "SELECT relname, n_tup_ins FROM pg_stat_all_tables", byGate},
	{"every database on the server", "SELECT datname FROM pg_catalog.pg_database", byGate},
	{"server settings", "SELECT name, setting FROM pg_settings", byGate},
	{"a server setting", "SELECT current_setting('listen_addresses')", byGate},
	{"database statistics", "SELECT datname, xact_commit FROM pg_stat_database", byGate},
	{"advisory lock", "SELECT pg_advisory_lock(4242)", byGate | byDB},
	{"advisory xact lock", "SELECT pg_try_advisory_xact_lock(4242)", byGate | byDB},
	// memory and disk (issue 14, high 1 and 3)
	{"huge cell", "SELECT repeat('x', 200000000)", byDB},
	{"many 1 MB rows", "SELECT repeat('x', 1000000) FROM generate_series(1, 700)", byDB},
	{"recursive temp files", "WITH RECURSIVE r(n, s) AS (SELECT 1, repeat('x', 1000) UNION ALL SELECT n + 1, s FROM r WHERE n < 100000000) SELECT count(*) FROM r", byDB},
}
