package migrations

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// keptPassword is a generated read-only password kept in one database.
type keptPassword struct {
	value   string
	updated time.Time
}

// localPassword returns the read-only role's generated password, kept in
// the application schema. A role belongs to the whole server while each
// database keeps its own copy, so the password kept most recently in any
// database the migrating user can reach is reused: generating a new one
// would lock out every other local database that uses the role. Only when
// no database keeps one is a new password generated.
func localPassword(ctx context.Context, conn *pgx.Conn, roleName string) (string, bool, error) {
	key := "readonly_password:" + roleName
	newest, err := keptHere(ctx, conn, key)
	if err != nil {
		return "", false, err
	}
	elsewhere, err := keptElsewhere(ctx, conn, key)
	if err != nil {
		return "", false, err
	}
	for _, k := range elsewhere {
		if k.updated.After(newest.updated) {
			newest = k
		}
	}
	generated := newest.value == ""
	if generated {
		newest.value = rand.Text()
	}
	_, err = conn.Exec(ctx, `
		INSERT INTO `+AppSchema+`.settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
		WHERE settings.value <> EXCLUDED.value`, key, newest.value)
	if err != nil {
		return "", false, fmt.Errorf("migrate: keep the read-only password: %w", err)
	}
	return newest.value, generated, nil
}

const keptSQL = "SELECT value, updated_at FROM " + AppSchema + ".settings WHERE key = $1"

func keptHere(ctx context.Context, conn *pgx.Conn, key string) (keptPassword, error) {
	var k keptPassword
	err := conn.QueryRow(ctx, keptSQL, key).Scan(&k.value, &k.updated)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return k, fmt.Errorf("migrate: read kept password: %w", err)
	}
	return k, nil
}

// keptElsewhere reads the password kept for key in the server's other
// databases that the migrating user may connect to. A database it cannot
// read (no bot schema, no access, being dropped) is passed over.
func keptElsewhere(ctx context.Context, conn *pgx.Conn, key string) ([]keptPassword, error) {
	rows, err := conn.Query(ctx, `
		SELECT datname FROM pg_database
		WHERE datallowconn AND NOT datistemplate AND datname <> current_database()
		  AND has_database_privilege(datname, 'CONNECT')
		ORDER BY datname`)
	if err != nil {
		return nil, fmt.Errorf("migrate: list databases: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("migrate: list databases: %w", err)
	}
	var found []keptPassword
	for _, name := range names {
		if k, ok := keptIn(ctx, conn.Config(), name, key); ok {
			found = append(found, k)
		}
	}
	return found, nil
}

func keptIn(ctx context.Context, base *pgx.ConnConfig, database, key string) (keptPassword, bool) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cfg := base.Copy()
	cfg.Database = database
	cfg.Tracer = nil
	other, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return keptPassword{}, false
	}
	defer other.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := other.QueryRow(ctx, "SELECT to_regclass('"+AppSchema+".settings') IS NOT NULL").Scan(&exists); err != nil || !exists {
		return keptPassword{}, false
	}
	var k keptPassword
	if err := other.QueryRow(ctx, keptSQL, key).Scan(&k.value, &k.updated); err != nil {
		return keptPassword{}, false
	}
	return k, true
}
