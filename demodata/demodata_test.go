package demodata_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

var lastDay = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

func day(t time.Time) string { return t.Format(time.DateOnly) }

func key(r demodata.Row) string { return day(r.Day) + "/" + r.Platform + "/" + r.Country }

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	a := demodata.Generate(60, lastDay)
	b := demodata.Generate(60, lastDay)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Generate gave different rows for the same arguments")
	}

	// Another window that overlaps: the shared days are identical.
	other := demodata.Generate(20, lastDay.AddDate(0, 0, 10))
	byKey := map[string]demodata.Row{}
	for _, r := range a {
		byKey[key(r)] = r
	}
	shared := 0
	for _, r := range other {
		if prev, ok := byKey[key(r)]; ok {
			shared++
			if prev != r {
				t.Errorf("%s differs between windows: %+v vs %+v", key(r), prev, r)
			}
		}
	}
	if want := 10 * 3 * 20; shared != want {
		t.Errorf("%d rows shared by the windows, want %d", shared, want)
	}

	// The time of day and the zone of end do not matter, only its date.
	berlin := time.FixedZone("CEST", 2*3600)
	late := demodata.Generate(60, time.Date(2026, 6, 30, 23, 59, 0, 0, berlin))
	if !reflect.DeepEqual(a, late) {
		t.Error("the time of day of end changed the rows")
	}
}

func TestGenerateNoDays(t *testing.T) {
	t.Parallel()
	for _, days := range []int{0, -1} {
		if rows := demodata.Generate(days, lastDay); len(rows) != 0 {
			t.Errorf("Generate(%d) = %d rows, want none", days, len(rows))
		}
	}
}

func TestGenerateShape(t *testing.T) {
	t.Parallel()
	const days = 84 // twelve whole weeks
	rows := demodata.Generate(days, lastDay)
	if len(rows) != days*3*20 {
		t.Fatalf("%d rows, want %d (days × 3 platforms × 20 countries)", len(rows), days*3*20)
	}

	perDay := map[string]map[string]bool{}
	platforms, countries := map[string]bool{}, map[string]bool{}
	first, last := rows[0].Day, rows[0].Day
	for _, r := range rows {
		k := day(r.Day)
		if perDay[k] == nil {
			perDay[k] = map[string]bool{}
		}
		if perDay[k][r.Platform+r.Country] {
			t.Fatalf("duplicate row %s", key(r))
		}
		perDay[k][r.Platform+r.Country] = true
		platforms[r.Platform], countries[r.Country] = true, true
		if r.Day.Before(first) {
			first = r.Day
		}
		if r.Day.After(last) {
			last = r.Day
		}
		if r.DAU <= 0 || r.NewUsers < 0 || r.Sessions < r.DAU || r.RevenueUSD < 0 || r.Crashes < 0 {
			t.Fatalf("implausible row %+v", r)
		}
		if cents := r.RevenueUSD * 100; math.Abs(cents-math.Round(cents)) > 1e-6 {
			t.Fatalf("revenue %v has more than two decimals", r.RevenueUSD)
		}
		if r.Day.Location() != time.UTC || r.Day.Hour() != 0 {
			t.Fatalf("day %v is not a UTC date", r.Day)
		}
	}
	if day(last) != "2026-06-30" || day(first) != day(lastDay.AddDate(0, 0, -(days-1))) {
		t.Errorf("days run from %s to %s, want %d days ending on 2026-06-30", day(first), day(last), days)
	}
	if len(perDay) != days {
		t.Errorf("%d distinct days, want %d", len(perDay), days)
	}
	for d, keys := range perDay {
		if len(keys) != 60 {
			t.Errorf("%s has %d rows, want 3 × 20", d, len(keys))
		}
	}
	if !reflect.DeepEqual(platforms, map[string]bool{"ios": true, "android": true, "web": true}) {
		t.Errorf("platforms = %v", platforms)
	}
	if len(countries) != 20 {
		t.Errorf("%d countries, want 20", len(countries))
	}
	for c := range countries {
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			t.Errorf("country %q is not an ISO 3166-1 alpha-2 code", c)
		}
	}
}

// dailyTotals sums DAU per day for one platform, split by weekend.
func weekdayWeekendMeans(rows []demodata.Row, platform string) (weekday, weekend float64) {
	totals := map[time.Time]float64{}
	for _, r := range rows {
		if r.Platform == platform {
			totals[r.Day] += float64(r.DAU)
		}
	}
	var wd, we []float64
	for d, v := range totals {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			we = append(we, v)
		} else {
			wd = append(wd, v)
		}
	}
	return mean(wd), mean(we)
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func TestWebIsAWeekdayPlatform(t *testing.T) {
	t.Parallel()
	rows := demodata.Generate(84, lastDay)
	weekday, weekend := weekdayWeekendMeans(rows, "web")
	if weekend >= 0.9*weekday {
		t.Errorf("web DAU: weekend mean %.0f, weekday mean %.0f; want weekends clearly lower", weekend, weekday)
	}
	for _, p := range []string{"ios", "android"} {
		weekday, weekend := weekdayWeekendMeans(rows, p)
		if weekend <= weekday {
			t.Errorf("%s DAU: weekend mean %.0f, weekday mean %.0f; want phones used more at the weekend", p, weekend, weekday)
		}
	}
}

func correlation(xs, ys []float64) float64 {
	mx, my := mean(xs), mean(ys)
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	return sxy / math.Sqrt(sxx*syy)
}

func TestRevenueAndCrashesFollowDAU(t *testing.T) {
	t.Parallel()
	rows := demodata.Generate(84, lastDay)
	// Within one platform and country, day to day: more users, more money
	// and more crashes.
	for _, series := range []struct{ platform, country string }{{"ios", "US"}, {"android", "IN"}, {"web", "DE"}} {
		var dau, revenue, crashes []float64
		for _, r := range rows {
			if r.Platform == series.platform && r.Country == series.country {
				dau = append(dau, float64(r.DAU))
				revenue = append(revenue, r.RevenueUSD)
				crashes = append(crashes, float64(r.Crashes))
			}
		}
		if c := correlation(dau, revenue); c < 0.3 {
			t.Errorf("%s/%s: revenue–DAU correlation %.2f, want clearly positive", series.platform, series.country, c)
		}
		if c := correlation(dau, crashes); c < 0.2 {
			t.Errorf("%s/%s: crashes–DAU correlation %.2f, want positive", series.platform, series.country, c)
		}
	}
	// Across all rows the relation is strong.
	var dau, revenue, crashes []float64
	for _, r := range rows {
		dau = append(dau, float64(r.DAU))
		revenue = append(revenue, r.RevenueUSD)
		crashes = append(crashes, float64(r.Crashes))
	}
	if c := correlation(dau, revenue); c < 0.6 {
		t.Errorf("revenue–DAU correlation over all rows %.2f, want > 0.6", c)
	}
	if c := correlation(dau, crashes); c < 0.6 {
		t.Errorf("crashes–DAU correlation over all rows %.2f, want > 0.6", c)
	}
}

func TestGrowthOverAYear(t *testing.T) {
	t.Parallel()
	rows := demodata.Generate(2*365, lastDay)
	firstWeek, lastWeek := 0.0, 0.0
	for _, r := range rows {
		switch age := lastDay.Sub(r.Day).Hours() / 24; {
		case age < 28:
			lastWeek += float64(r.DAU)
		case age >= 365 && age < 365+28:
			firstWeek += float64(r.DAU)
		}
	}
	if lastWeek <= 1.2*firstWeek {
		t.Errorf("DAU of the last four weeks %.0f vs the same weeks a year before %.0f: want growth", lastWeek, firstWeek)
	}
}

// fingerprint is an md5 of every row of app_metrics in key order.
func fingerprint(t testing.TB, db *pgtest.DB) (string, int) {
	t.Helper()
	var sum string
	var n int
	err := db.Pool.QueryRow(context.Background(), `
		SELECT coalesce(md5(string_agg(m::text, E'\n' ORDER BY day, platform, country)), ''), count(*)
		FROM public.app_metrics m`).Scan(&sum, &n)
	if err != nil {
		t.Fatal(err)
	}
	return sum, n
}

func setup(t *testing.T) *pgtest.DB {
	t.Helper()
	return pgtest.NewMigrated(t)
}

func TestLoadTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	db := setup(t)
	ctx := context.Background()

	written, err := demodata.Load(ctx, db.Pool, 30, lastDay)
	if err != nil {
		t.Fatal(err)
	}
	if written != 30*3*20 {
		t.Errorf("first load wrote %d rows, want %d", written, 30*3*20)
	}
	before, n := fingerprint(t, db)
	if n != 30*3*20 {
		t.Fatalf("%d rows in app_metrics, want %d", n, 30*3*20)
	}

	written, err = demodata.Load(ctx, db.Pool, 30, lastDay)
	if err != nil {
		t.Fatal(err)
	}
	if written != 0 {
		t.Errorf("second load wrote %d rows, want 0", written)
	}
	if after, _ := fingerprint(t, db); after != before {
		t.Error("the second load changed app_metrics")
	}
}

func TestLoadMatchesGenerate(t *testing.T) {
	t.Parallel()
	db := setup(t)
	ctx := context.Background()
	if _, err := demodata.Load(ctx, db.Pool, 7, lastDay); err != nil {
		t.Fatal(err)
	}
	for _, r := range demodata.Generate(7, lastDay) {
		var got demodata.Row
		err := db.Pool.QueryRow(ctx, `
			SELECT day, platform, country, dau, new_users, sessions, revenue_usd::float8, crashes
			FROM public.app_metrics WHERE day = $1 AND platform = $2 AND country = $3`, r.Day, r.Platform, r.Country).
			Scan(&got.Day, &got.Platform, &got.Country, &got.DAU, &got.NewUsers, &got.Sessions, &got.RevenueUSD, &got.Crashes)
		if err != nil {
			t.Fatalf("%s: %v", key(r), err)
		}
		if !got.Day.Equal(r.Day) || got.DAU != r.DAU || got.NewUsers != r.NewUsers || got.Sessions != r.Sessions ||
			got.RevenueUSD != r.RevenueUSD || got.Crashes != r.Crashes {
			t.Errorf("%s loaded as %+v, generated as %+v", key(r), got, r)
		}
	}
}

func TestLoadWiderWindowAddsOnlyTheNewDays(t *testing.T) {
	t.Parallel()
	db := setup(t)
	ctx := context.Background()
	if _, err := demodata.Load(ctx, db.Pool, 30, lastDay); err != nil {
		t.Fatal(err)
	}
	written, err := demodata.Load(ctx, db.Pool, 40, lastDay)
	if err != nil {
		t.Fatal(err)
	}
	if written != 10*3*20 {
		t.Errorf("loading 40 days over 30 wrote %d rows, want the 10 new days (%d)", written, 10*3*20)
	}
	if _, n := fingerprint(t, db); n != 40*3*20 {
		t.Errorf("%d rows, want %d", n, 40*3*20)
	}
}

func TestLoadRepairsChangedRows(t *testing.T) {
	t.Parallel()
	db := setup(t)
	ctx := context.Background()
	if _, err := demodata.Load(ctx, db.Pool, 10, lastDay); err != nil {
		t.Fatal(err)
	}
	want, _ := fingerprint(t, db)
	if _, err := db.Pool.Exec(ctx, "UPDATE public.app_metrics SET dau = 1 WHERE day = $1 AND platform = 'ios' AND country = 'US'", lastDay); err != nil {
		t.Fatal(err)
	}
	written, err := demodata.Load(ctx, db.Pool, 10, lastDay)
	if err != nil {
		t.Fatal(err)
	}
	if written != 1 {
		t.Errorf("reload wrote %d rows, want the 1 changed row", written)
	}
	if got, _ := fingerprint(t, db); got != want {
		t.Error("reload did not restore the changed row")
	}
}

func TestLoadRefusesNoDays(t *testing.T) {
	t.Parallel()
	db := setup(t)
	if _, err := demodata.Load(context.Background(), db.Pool, 0, lastDay); err == nil {
		t.Error("Load of 0 days succeeded")
	}
}

func TestLoadCreatesAppMetrics(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t) // migrate creates no analytics table
	if _, err := demodata.Load(context.Background(), db.Pool, 1, lastDay); err != nil {
		t.Fatalf("Load into a database without app_metrics: %v", err)
	}
	if _, n := fingerprint(t, db); n != 3*20 {
		t.Errorf("%d rows in app_metrics, want %d", n, 3*20)
	}
}

// BenchmarkLoad365 loads a year of demo data into an empty app_metrics
// (21,900 rows), then reloads it unchanged.
func BenchmarkLoad365(b *testing.B) {
	db := pgtest.NewMigrated(b)
	ctx := context.Background()
	const days = 365

	b.Run("empty", func(b *testing.B) {
		var total time.Duration
		for b.Loop() {
			b.StopTimer()
			if _, err := db.Pool.Exec(ctx, "TRUNCATE public.app_metrics"); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := time.Now()
			n, err := demodata.Load(ctx, db.Pool, days, lastDay)
			total += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if n != days*3*20 {
				b.Fatalf("wrote %d rows", n)
			}
		}
		b.ReportMetric(float64(days*3*20)/total.Seconds()*float64(b.N), "rows/s")
		b.Logf("load of %d days (%d rows): %s per load", days, days*3*20, (total / time.Duration(b.N)).Round(time.Millisecond))
	})

	b.Run("unchanged", func(b *testing.B) {
		if _, err := demodata.Load(ctx, db.Pool, days, lastDay); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			n, err := demodata.Load(ctx, db.Pool, days, lastDay)
			if err != nil {
				b.Fatal(err)
			}
			if n != 0 {
				b.Fatalf("reload wrote %d rows", n)
			}
		}
	})

	b.Run("generate", func(b *testing.B) {
		for b.Loop() {
			if rows := demodata.Generate(days, lastDay); len(rows) != days*3*20 {
				b.Fatal(fmt.Sprint(len(rows)))
			}
		}
	})
}
