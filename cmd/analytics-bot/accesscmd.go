package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/analytics-bot/analytics-bot/access"
	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/migrations"
)

func runAccess(ctx context.Context, e env, args []string) error {
	const synopsis = `access check

Validates ACCESS_FILE (YAML keys, roles named by rules, a channel mapped
twice, schemas and tables) and prints, per data role, the schemas and the
number of tables it can read in POSTGRES_DB. Exits non-zero naming every
problem with its line.`
	fs := newFlagSet(e, "access", synopsis)
	positional, helped, err := parseInterspersed(fs, e, args)
	if helped || err != nil {
		return err
	}
	if len(positional) != 1 || positional[0] != "check" {
		return fmt.Errorf("%w: access needs: check", errUsage)
	}
	cfg, _, err := loadConfig(ctx, e, config.NeedDatabase)
	if err != nil {
		return err
	}
	if cfg.AccessFile == "" {
		// No access file: every question runs as the read-only role.
		owner, err := openOwnerPool(ctx, cfg, 2)
		if err != nil {
			return err
		}
		defer owner.Close()
		rd, err := migrations.ReadableBy(ctx, owner, cfg.ReadonlyUser)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "ACCESS_FILE is not set: every question runs as %s (POSTGRES_READONLY_USER)\n%s: %s\n", cfg.ReadonlyUser, cfg.ReadonlyUser, rd.String())
		if rd.Missing || rd.Tables() == 0 {
			return fmt.Errorf("access check: %s can read nothing yet: run 'analytics-bot migrate', and check ANALYTICS_SCHEMAS", cfg.ReadonlyUser)
		}
		return nil
	}
	f, err := readAccessFile(cfg)
	var problems access.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintln(e.stdout, p.String())
		}
		return fmt.Errorf("access check: %d problem%s in %s", len(problems), plural(len(problems), "", "s"), cfg.AccessFile)
	}
	if err != nil {
		return err
	}
	owner, err := openOwnerPool(ctx, cfg, 2)
	if err != nil {
		return err
	}
	defer owner.Close()
	return printRoles(ctx, e.stdout, f, func(role string) (migrations.Readable, error) {
		return migrations.ReadableBy(ctx, owner, role)
	})
}

// printRoles prints each role of the file, the default first, with what
// it can read; a role that reads nothing or does not exist is a problem.
func printRoles(ctx context.Context, w io.Writer, f *access.File, readable func(role string) (migrations.Readable, error)) error {
	type line struct {
		role    string
		schemas []string
		tables  []string
	}
	lines := []line{{role: f.Default}}
	for _, r := range f.Roles {
		if r.Name == f.Default {
			lines[0] = line{role: r.Name, schemas: r.Schemas, tables: r.Tables}
			continue
		}
		lines = append(lines, line{role: r.Name, schemas: r.Schemas, tables: r.Tables})
	}
	var bad []string
	for _, l := range lines {
		rd, err := readable(l.role)
		if err != nil {
			return err
		}
		what := "(default) "
		if len(l.schemas) > 0 {
			what = "schemas " + strings.Join(l.schemas, ", ")
			if len(l.tables) > 0 {
				what += fmt.Sprintf(", %d allowlisted table(s)", len(l.tables))
			}
			what += ": "
		}
		users, groups, open := f.Askers(l.role)
		who := "open to every asker"
		if !open {
			who = fmt.Sprintf("kept to %d user(s) and %d user group(s)", len(users), len(groups))
		}
		fmt.Fprintf(w, "%s (%s): %s%s\n", l.role, who, what, rd.String())
		if rd.Missing || rd.Tables() == 0 {
			bad = append(bad, l.role)
		}
	}
	fmt.Fprintf(w, "%s: %d data role(s), %d rule(s), default %s\n", "access file", len(f.Roles), len(f.Rules), f.Default)
	if len(bad) > 0 {
		return fmt.Errorf("access check: role(s) %s can read nothing yet: run 'analytics-bot migrate' with ACCESS_FILE set, and check their schemas", strings.Join(bad, ", "))
	}
	return nil
}
