package readonly

import "strings"

// deniedFunctions are functions model-written SQL may not call: they
// write to the WAL or consume transaction ids even in a read-only
// transaction, run SQL given as text (several statements in one), read
// other sessions' activity, change settings, touch server files or large
// objects, take locks that outlive the statement, or just hold a
// connection.
var deniedFunctions = map[string]bool{
	// WAL and transaction ids
	"pg_logical_emit_message": true, "txid_current": true, "txid_current_if_assigned": true,
	"pg_current_xact_id": true, "pg_current_xact_id_if_assigned": true, "txid_current_snapshot": true,
	"pg_current_snapshot": true, "pg_switch_wal": true, "pg_create_restore_point": true,
	"nextval": true, "setval": true, "pg_notify": true,
	// nested SQL
	"query_to_xml": true, "query_to_xmlschema": true, "query_to_xml_and_xmlschema": true,
	"cursor_to_xml": true, "cursor_to_xmlschema": true,
	"table_to_xml": true, "table_to_xmlschema": true, "table_to_xml_and_xmlschema": true,
	"schema_to_xml": true, "schema_to_xmlschema": true, "schema_to_xml_and_xmlschema": true,
	"database_to_xml": true, "database_to_xmlschema": true, "database_to_xml_and_xmlschema": true,
	"ts_stat": true, "ts_rewrite": true,
	// other sessions
	"pg_stat_get_activity": true, "pg_stat_clear_snapshot": true, "pg_blocking_pids": true,
	"pg_safe_snapshot_blocking_pids": true, "pg_cancel_backend": true, "pg_terminate_backend": true,
	"pg_get_backend_memory_contexts": true, "pg_log_backend_memory_contexts": true,
	"pg_stat_statements": true, "pg_stat_statements_reset": true, "pg_stat_get_wal_receiver": true,
	// settings and server files
	"set_config": true, "pg_reload_conf": true, "pg_rotate_logfile": true,
	"pg_read_file": true, "pg_read_binary_file": true, "pg_stat_file": true,
	"pg_file_write": true, "pg_file_rename": true, "pg_file_unlink": true,
	"loread": true, "lowrite": true, "pg_import_system_collations": true,
	// holding a connection
	"pg_sleep": true, "pg_sleep_for": true, "pg_sleep_until": true,
	// other databases, server settings
	"dblink": true, "current_setting": true, "pg_show_all_settings": true,
	"pg_database_size": true, "pg_tablespace_size": true,
}

// deniedPrefixes are families of functions denied as a whole.
var deniedPrefixes = []string{
	"lo_", "pg_advisory_", "pg_try_advisory_", "pg_ls_", "pg_stat_get_backend_",
	"pg_stat_reset", "pg_logical_", "pg_replication_", "pg_create_", "pg_drop_replication",
	"pg_wal_replay_", "pg_backup_", "pg_start_backup", "pg_stop_backup", "dblink_",
}

// deniedRelations are catalog views that show other sessions' queries or
// what is not the analytics data: every database on the server, the
// server's settings.
var deniedRelations = map[string]bool{
	"pg_stat_activity": true, "pg_stat_statements": true, "pg_stat_statements_info": true,
	"pg_database": true, "pg_settings": true, "pg_file_settings": true, "pg_hba_file_rules": true,
	"pg_config": true, "pg_shmem_allocations": true, "pg_backend_memory_contexts": true,
}

// deniedRelationPrefixes are families of statistics views: activity
// counts on every table, the bot's hidden ones included, and per database.
var deniedRelationPrefixes = []string{"pg_stat_", "pg_statio_"}

// deniedRelation reports whether model-written SQL may not read the
// relation named name (unqualified).
func deniedRelation(name string) bool {
	name = strings.ToLower(name)
	if deniedRelations[name] {
		return true
	}
	for _, p := range deniedRelationPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// Denied reports whether model-written SQL may not call the function
// named name (unqualified, as in pg_proc.proname).
func Denied(name string) bool {
	name = strings.ToLower(name)
	if deniedFunctions[name] {
		return true
	}
	for _, p := range deniedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
