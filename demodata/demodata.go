// Package demodata generates and loads the deterministic demo data set of
// app_metrics: three platforms, twenty countries, weekly seasonality,
// growth, a yearly launch spike, and revenue and crashes that follow DAU.
package demodata

import (
	"context"
	_ "embed"
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed app_metrics.sql
var appMetricsDDL string

// Row is one (day, platform, country) of app_metrics.
type Row struct {
	Day        time.Time
	Platform   string
	Country    string
	DAU        int32
	NewUsers   int32
	Sessions   int32
	RevenueUSD float64
	Crashes    int32
}

type country struct {
	code    string
	share   float64 // share of all users
	iosBias float64 // share of mobile users on iOS
	arpu    float64 // revenue multiplier
}

var countries = []country{
	{"US", 0.22, 0.58, 1.60}, {"IN", 0.12, 0.08, 0.25}, {"BR", 0.07, 0.15, 0.45},
	{"GB", 0.06, 0.52, 1.40}, {"DE", 0.06, 0.38, 1.30}, {"JP", 0.05, 0.68, 1.50},
	{"FR", 0.04, 0.40, 1.20}, {"CA", 0.04, 0.55, 1.40}, {"MX", 0.04, 0.20, 0.50},
	{"ID", 0.04, 0.10, 0.30}, {"PH", 0.03, 0.12, 0.30}, {"ES", 0.03, 0.30, 0.90},
	{"IT", 0.03, 0.32, 0.90}, {"KR", 0.03, 0.30, 1.10}, {"AU", 0.03, 0.55, 1.40},
	{"NL", 0.02, 0.45, 1.20}, {"TR", 0.02, 0.15, 0.40}, {"PL", 0.02, 0.25, 0.70},
	{"NG", 0.02, 0.08, 0.20}, {"SE", 0.01, 0.55, 1.30},
}

// Platforms are the client platforms of the demo data.
var Platforms = []string{"ios", "android", "web"}

var (
	epoch      = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	baseDAU    = 40_000.0
	yearGrowth = 0.55 // +55% a year
)

// Generate returns the rows of the days ending on end (inclusive). A row
// depends only on its day, platform and country, so the same calendar day
// always gives the same numbers.
func Generate(days int, end time.Time) []Row {
	end = time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
	days = max(days, 0) // no days, no rows (not a negative capacity)
	rows := make([]Row, 0, days*len(Platforms)*len(countries))
	for i := days - 1; i >= 0; i-- {
		day := end.AddDate(0, 0, -i)
		for _, c := range countries {
			for _, p := range Platforms {
				rows = append(rows, generateRow(day, p, c))
			}
		}
	}
	return rows
}

func generateRow(day time.Time, platform string, c country) Row {
	years := day.Sub(epoch).Hours() / 24 / 365
	total := baseDAU * math.Pow(1+yearGrowth, years)

	share := platformShare(platform, c)
	weekly := weekdayFactor(day.Weekday(), platform)
	launch := launchBoost(day)
	noise := 1 + 0.06*gaussian(day, platform, c.code, "dau")

	dau := total * c.share * share * weekly * (1 + 0.25*launch) * noise * holidayDip(day)
	newUsers := dau * 0.035 * (1 + 2.5*launch) * (1 + 0.15*gaussian(day, platform, c.code, "new"))
	sessions := dau * sessionsPerUser(platform) * (1 + 0.05*gaussian(day, platform, c.code, "sessions"))
	revenue := dau * arpdau(platform) * c.arpu * (1 + 0.12*gaussian(day, platform, c.code, "revenue"))
	crashRate := crashRate(platform) * (1 + 3*launch) // the launch release shipped a crash
	crashes := sessions * crashRate * (1 + 0.2*gaussian(day, platform, c.code, "crashes"))

	return Row{
		Day:        day,
		Platform:   platform,
		Country:    c.code,
		DAU:        positive(dau),
		NewUsers:   positive(newUsers),
		Sessions:   positive(sessions),
		RevenueUSD: math.Max(0, math.Round(revenue*100)/100),
		Crashes:    positive(crashes),
	}
}

func platformShare(platform string, c country) float64 {
	const mobile = 0.78
	switch platform {
	case "ios":
		return mobile * c.iosBias
	case "android":
		return mobile * (1 - c.iosBias)
	default:
		return 1 - mobile
	}
}

// weekdayFactor: people use the web app at work and the phone apps at the
// weekend.
func weekdayFactor(d time.Weekday, platform string) float64 {
	weekend := d == time.Saturday || d == time.Sunday
	switch {
	case weekend && platform == "web":
		return 0.72
	case weekend:
		return 1.10
	case d == time.Friday:
		return 0.97
	default:
		return 1.0
	}
}

// launchBoost is the yearly launch on 15 September: a spike that decays
// over about a week.
func launchBoost(day time.Time) float64 {
	launch := time.Date(day.Year(), time.September, 15, 0, 0, 0, 0, time.UTC)
	since := day.Sub(launch).Hours() / 24
	if since < 0 || since > 14 {
		return 0
	}
	return math.Exp(-since / 3)
}

func holidayDip(day time.Time) float64 {
	if day.Month() == time.December && (day.Day() == 24 || day.Day() == 25 || day.Day() == 31) ||
		day.Month() == time.January && day.Day() == 1 {
		return 0.82
	}
	return 1
}

func sessionsPerUser(platform string) float64 {
	return map[string]float64{"ios": 3.4, "android": 3.9, "web": 1.8}[platform]
}

func arpdau(platform string) float64 {
	return map[string]float64{"ios": 0.085, "android": 0.041, "web": 0.029}[platform]
}

func crashRate(platform string) float64 {
	return map[string]float64{"ios": 0.0018, "android": 0.0042, "web": 0.0009}[platform]
}

// gaussian is a deterministic standard-normal draw for the given key.
func gaussian(day time.Time, platform, country, metric string) float64 {
	u1 := uniform(day, platform, country, metric+"#1")
	u2 := uniform(day, platform, country, metric+"#2")
	g := math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
	return math.Max(-3, math.Min(3, g))
}

func uniform(day time.Time, platform, country, metric string) float64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s|%s|%s", day.Format(time.DateOnly), platform, country, metric)
	return (float64(h.Sum64()>>11) + 0.5) / (1 << 53)
}

func positive(v float64) int32 {
	return int32(math.Max(0, math.Round(v)))
}

// Load creates app_metrics when it is missing and writes the rows of the
// days ending on end into it with COPY. Rows already there for the same key are overwritten with the same
// values, so loading twice changes nothing. It returns the rows written.
func Load(ctx context.Context, pool *pgxpool.Pool, days int, end time.Time) (int64, error) {
	if days <= 0 {
		return 0, fmt.Errorf("demo data: days must be positive, got %d", days)
	}
	rows := Generate(days, end)
	var written int64
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, appMetricsDDL); err != nil {
			return fmt.Errorf("create app_metrics: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE demo_app_metrics (LIKE public.app_metrics) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("create staging table: %w", err)
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"demo_app_metrics"},
			[]string{"day", "platform", "country", "dau", "new_users", "sessions", "revenue_usd", "crashes"},
			pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
				r := rows[i]
				return []any{
					pgtype.Date{Time: r.Day, Valid: true}, r.Platform, r.Country, r.DAU, r.NewUsers, r.Sessions,
					fmt.Sprintf("%.2f", r.RevenueUSD), r.Crashes,
				}, nil
			}))
		if err != nil {
			return fmt.Errorf("copy rows: %w", err)
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO public.app_metrics AS m
			SELECT * FROM demo_app_metrics
			ON CONFLICT (day, platform, country) DO UPDATE SET
				dau = EXCLUDED.dau, new_users = EXCLUDED.new_users, sessions = EXCLUDED.sessions,
				revenue_usd = EXCLUDED.revenue_usd, crashes = EXCLUDED.crashes
			WHERE (m.dau, m.new_users, m.sessions, m.revenue_usd, m.crashes)
			   IS DISTINCT FROM (EXCLUDED.dau, EXCLUDED.new_users, EXCLUDED.sessions, EXCLUDED.revenue_usd, EXCLUDED.crashes)`)
		if err != nil {
			return fmt.Errorf("merge rows: %w", err)
		}
		written = tag.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("demo data: %w", err)
	}
	return written, nil
}
