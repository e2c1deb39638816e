package main

import (
	"context"
	"fmt"
	"time"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/migrations"
)

func runDemoData(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "demo-data", "demo-data [--days N]\n\nCreates and fills the demo tables (idempotent): app_metrics, ending yesterday, and a small\nproduct-analytics schema (plans, accounts, users, subscriptions, invoices, events) in public.")
	days := fs.Int("days", 365, "number of days of data, ending yesterday")
	if helped, err := parseFlags(fs, e, args); helped || err != nil {
		return err
	}
	if *days <= 0 {
		return fmt.Errorf("%w: demo-data: --days must be positive", errUsage)
	}
	cfg, _, err := loadConfig(ctx, e, config.NeedDatabase)
	if err != nil {
		return err
	}
	pool, err := openOwnerPool(ctx, cfg, 2)
	if err != nil {
		return err
	}
	defer pool.Close()

	start := time.Now()
	end := time.Now().UTC().AddDate(0, 0, -1)
	changed, err := demodata.Load(ctx, pool, *days, end)
	if err != nil {
		return err
	}
	product, err := demodata.LoadProduct(ctx, pool)
	if err != nil {
		return err
	}
	var total int64
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM public.app_metrics").Scan(&total); err != nil {
		return fmt.Errorf("count app_metrics: %w", err)
	}
	fmt.Fprintf(e.stdout, "demo data: %d days ending %s, %d rows written or changed, %d rows in app_metrics; "+
		"product analytics: %d rows written or changed (%s)\n",
		*days, end.Format(time.DateOnly), changed, total, product, time.Since(start).Round(time.Millisecond))
	readable, err := migrations.ReadableBy(ctx, pool, cfg.ReadonlyUser)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, readable.String())
	return nil
}
