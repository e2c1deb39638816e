package migrations_test

import (
	"context"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/migrations"
)

func TestLocalPasswordIsGeneratedOnceAndKept(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	opts := f.options()
	opts.ReadonlyPassword = ""
	opts.GeneratePassword = true

	first := f.migrate(f.db.Pool, opts)
	if !first.GeneratedPassword || len(first.ReadonlyPassword) < 16 {
		t.Fatalf("first run: generated=%v password of %d characters; want a generated password", first.GeneratedPassword, len(first.ReadonlyPassword))
	}
	kept, err := migrations.LocalPassword(ctx, f.db.Pool, f.role)
	if err != nil || kept != first.ReadonlyPassword {
		t.Errorf("LocalPassword = %q, %v; want the generated one", kept, err)
	}

	second := f.migrate(f.db.Pool, opts)
	if second.GeneratedPassword {
		t.Error("the second run generated another password")
	}
	if second.ReadonlyPassword != first.ReadonlyPassword {
		t.Error("the second run uses a different password than the one kept")
	}

	var hasPassword bool
	if err := f.db.Pool.QueryRow(ctx, "SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = $1", f.role).Scan(&hasPassword); err != nil || !hasPassword {
		t.Errorf("the role has no password: %v", err)
	}
	if other, err := migrations.LocalPassword(ctx, f.db.Pool, "some_other_role"); err != nil || other != "" {
		t.Errorf("LocalPassword of another role = %q, %v; want empty", other, err)
	}
}

func TestLocalPasswordBeforeMigrate(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, err := migrations.LocalPassword(context.Background(), f.db.Pool, f.role)
	if err == nil {
		t.Error("LocalPassword on an unmigrated database succeeded")
	}
}

func TestMigrateOutsideLocalNeedsAPassword(t *testing.T) {
	t.Parallel()
	f := setup(t)
	opts := f.options()
	opts.ReadonlyPassword = ""
	opts.GeneratePassword = false
	_, err := migrations.Migrate(context.Background(), f.db.Pool, opts)
	if err == nil || !strings.Contains(err.Error(), "POSTGRES_READONLY_PASSWORD") {
		t.Errorf("err = %v, want it to name POSTGRES_READONLY_PASSWORD", err)
	}
}
