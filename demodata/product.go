package demodata

import (
	"context"
	_ "embed"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed product.sql
var productDDL string

// ProductAsOf is the last day of the product-analytics demo data: the set
// is fixed, so that golden questions about it have fixed answers.
var ProductAsOf = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)

// productTable is one table of the product-analytics schema with its
// generated rows, in the order of its columns.
type productTable struct {
	name    string
	columns []string
	rows    [][]any
}

type plan struct {
	id    int16
	name  string
	price float64
	seats int32 // 0: unlimited
}

var plans = []plan{{1, "free", 0, 3}, {2, "starter", 29, 10}, {3, "pro", 99, 50}, {4, "enterprise", 499, 0}}

var (
	nameStarts = []string{"Acme", "Blue", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Kestrel", "Lumen"}
	nameEnds   = []string{"Analytics", "Labs", "Retail", "Health", "Capital", "Media", "Works", "Systems", "Foods", "Learning", "Logistics", "Studio"}
	industries = []string{"software", "retail", "finance", "healthcare", "education", "media"}
	accCountry = []string{"US", "US", "US", "GB", "DE", "FR", "CA", "IN", "BR", "JP", "AU", "NL"}
	eventNames = []string{"login", "login", "login", "create_report", "create_report", "share_report", "export_csv", "invite_user"}
	platforms  = []string{"web", "web", "web", "ios", "android"}
)

const productAccounts = 120

// GenerateProduct returns the rows of the product-analytics schema, always
// the same: accounts, users, plans, subscriptions, invoices and events.
func GenerateProduct() []productTable {
	rng := rand.New(rand.NewPCG(13, 2025))
	first := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	day := func(t time.Time) pgtype.Date { return pgtype.Date{Time: t, Valid: true} }
	until := func(t time.Time) int { return int(ProductAsOf.Sub(t).Hours() / 24) }

	planRows := make([][]any, 0, len(plans))
	for _, p := range plans {
		seats := pgtype.Int4{Int32: p.seats, Valid: p.seats > 0}
		planRows = append(planRows, []any{p.id, p.name, fmt.Sprintf("%.2f", p.price), seats})
	}

	var accounts, users, subs, invoices, events [][]any
	names := rng.Perm(len(nameStarts) * len(nameEnds))
	userID, subID, invoiceID, eventID := 0, 0, 0, int64(0)
	for a := 1; a <= productAccounts; a++ {
		n := names[a-1]
		name := nameStarts[n/len(nameEnds)] + " " + nameEnds[n%len(nameEnds)]
		created := first.AddDate(0, 0, rng.IntN(547)) // through June 2025
		accounts = append(accounts, []any{int32(a), name, accCountry[rng.IntN(len(accCountry))], industries[rng.IntN(len(industries))], day(created)})
		slug := strings.ToLower(strings.ReplaceAll(name, " ", "-"))

		for u := range 2 + rng.IntN(11) {
			userID++
			signed := created.AddDate(0, 0, rng.IntN(min(120, until(created))+1))
			role := "member"
			switch {
			case u == 0:
				role = "admin"
			case rng.Float64() < 0.3:
				role = "viewer"
			}
			var lastSeen pgtype.Date
			if rng.Float64() < 0.85 {
				lastSeen = day(signed.AddDate(0, 0, rng.IntN(until(signed)+1)))
			}
			users = append(users, []any{int32(userID), int32(a), fmt.Sprintf("user%d@%s.example", userID, slug), role, day(signed), lastSeen})
			if !lastSeen.Valid {
				continue
			}
			span := int(lastSeen.Time.Sub(signed).Hours()/24) + 1
			for range rng.IntN(16) {
				eventID++
				at := signed.AddDate(0, 0, rng.IntN(span)).Add(time.Duration(rng.IntN(86400)) * time.Second)
				events = append(events, []any{eventID, int32(userID), at, eventNames[rng.IntN(len(eventNames))], platforms[rng.IntN(len(platforms))]})
			}
		}

		// The first plan, then perhaps one upgrade, then perhaps a cancellation.
		p := pickPlan(rng.Float64())
		start := created
		discount := 1.0
		if rng.Float64() < 0.2 {
			discount = 0.8
		}
		for {
			subID++
			status, end := "active", pgtype.Date{}
			upgrade := p < len(plans)-1 && rng.Float64() < 0.3
			if upgrade || rng.Float64() < 0.15 {
				months := 1 + rng.IntN(9)
				last := start.AddDate(0, months, -1)
				if last.Before(ProductAsOf) {
					status, end = "cancelled", day(last)
					if upgrade {
						status = "upgraded"
					}
				} else {
					upgrade = false
				}
			}
			subs = append(subs, []any{int32(subID), int32(a), plans[p].id, status, day(start), end})
			if plans[p].price > 0 {
				stop := ProductAsOf
				if end.Valid {
					stop = end.Time
				}
				for m := 0; !start.AddDate(0, m, 0).After(stop); m++ {
					invoiceID++
					issued := start.AddDate(0, m, 0)
					state := "paid"
					switch r := rng.Float64(); {
					case r < 0.03:
						state = "void"
					case issued.After(ProductAsOf.AddDate(0, -2, 0)) && r < 0.35:
						state = "open"
					}
					amount := fmt.Sprintf("%.2f", plans[p].price*discount)
					invoices = append(invoices, []any{int32(invoiceID), int32(subID), day(issued), amount, state})
				}
			}
			if status != "upgraded" {
				break
			}
			start = end.Time.AddDate(0, 0, 1)
			p++
		}
	}
	return []productTable{
		{"plans", []string{"id", "name", "monthly_price_usd", "seats"}, planRows},
		{"accounts", []string{"id", "name", "country", "industry", "created_on"}, accounts},
		{"users", []string{"id", "account_id", "email", "role", "signed_up_on", "last_seen_on"}, users},
		{"subscriptions", []string{"id", "account_id", "plan_id", "status", "started_on", "ended_on"}, subs},
		{"invoices", []string{"id", "subscription_id", "issued_on", "amount_usd", "status"}, invoices},
		{"events", []string{"id", "user_id", "occurred_at", "name", "platform"}, events},
	}
}

// pickPlan chooses a first plan: most accounts start free or on starter.
func pickPlan(r float64) int {
	switch {
	case r < 0.40:
		return 0
	case r < 0.75:
		return 1
	case r < 0.95:
		return 2
	}
	return 3
}

// LoadProduct creates the product-analytics tables when missing and
// writes their fixed rows: rows already there with the same id are set to
// the same values, so loading twice changes nothing. It returns the rows
// written or changed.
func LoadProduct(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	var written int64
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, productDDL); err != nil {
			return fmt.Errorf("create tables: %w", err)
		}
		for _, t := range GenerateProduct() {
			n, err := merge(ctx, tx, t)
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			written += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("demo data: %w", err)
	}
	return written, nil
}

// merge copies t's rows into a staging table and upserts them by id,
// touching only rows that differ.
func merge(ctx context.Context, tx pgx.Tx, t productTable) (int64, error) {
	stage := "demo_" + t.name
	target := pgx.Identifier{"public", t.name}.Sanitize()
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE "+stage+" (LIKE "+target+") ON COMMIT DROP"); err != nil {
		return 0, fmt.Errorf("create staging table: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{stage}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
		return 0, fmt.Errorf("copy rows: %w", err)
	}
	cols := strings.Join(t.columns[1:], ", ")
	excluded := "EXCLUDED." + strings.Join(t.columns[1:], ", EXCLUDED.")
	tag, err := tx.Exec(ctx, fmt.Sprintf(`
		INSERT INTO %s AS t (%s) SELECT %s FROM %s
		ON CONFLICT (id) DO UPDATE SET (%s) = ROW(%s)
		WHERE (t.%s) IS DISTINCT FROM (%s)`,
		target, strings.Join(t.columns, ", "), strings.Join(t.columns, ", "), stage,
		cols, excluded, strings.Join(t.columns[1:], ", t."), excluded))
	if err != nil {
		return 0, fmt.Errorf("merge rows: %w", err)
	}
	return tag.RowsAffected(), nil
}
