package readonly_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// typeCases are PostgreSQL values and how they must read: PostgreSQL's own
// text output, which psql prints too (booleans aside: true and false, as
// their cast to text spells them).
var typeCases = []struct {
	expr, want string
}{
	{"9007199254740993::numeric", "9007199254740993"},
	{"123.4500::numeric(10,4)", "123.4500"},
	{"(0.1 + 0.2)::numeric", "0.3"},
	{"'NaN'::numeric", "NaN"},
	{"4.7::real", "4.7"},
	{"0.1::float8 + 0.2::float8", "0.30000000000000004"},
	{"1e300::float8", "1e+300"},
	{"'-Infinity'::float8", "-Infinity"},
	{"9223372036854775807::bigint", "9223372036854775807"},
	{"date '2026-03-01'", "2026-03-01"},
	{"'infinity'::date", "infinity"},
	{"time '08:00'", "08:00:00"},
	{"time '08:00:00.25'", "08:00:00.25"},
	{"timetz '08:00:00+02'", "08:00:00+02"},
	{"timestamp '2026-03-01 08:00:00.123456'", "2026-03-01 08:00:00.123456"},
	{"timestamp '2026-03-01 00:00:00'", "2026-03-01 00:00:00"},
	{"timestamptz '2026-03-01 08:00:00.5+00'", "2026-03-01 08:00:00.5+00"},
	{"interval '4 years 1 mon 17 days'", "4 years 1 mon 17 days"},
	{"interval '1 day 02:03:04.5'", "1 day 02:03:04.5"},
	{"ARRAY[1, 2, NULL]::int[]", "{1,2,NULL}"},
	{"ARRAY['a b', 'c']::text[]", `{"a b",c}`},
	{`'{"a":  1}'::json`, `{"a":  1}`},
	{`'{"b": 2, "a": [1, null]}'::jsonb`, `{"a": [1, null], "b": 2}`},
	{"'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
	{"'192.168.0.1/24'::inet", "192.168.0.1/24"},
	{`'\x48656c6c6f'::bytea`, `\x48656c6c6f`},
	{"'null'::jsonb", "null"}, // JSON null is a value, not SQL NULL
	{"'null'::json", "null"},
	{"'NULL'::text", "NULL"},
	{"true", "true"},
}

func TestValuesReadAsPostgreSQLPrintsThem(t *testing.T) {
	t.Parallel()
	f := setup(t, readonly.Options{})
	exprs := make([]string, len(typeCases))
	for i, c := range typeCases {
		exprs[i] = c.expr
	}
	sql := "SELECT " + strings.Join(exprs, ", ") + ", NULL::text"
	res, err := f.ro.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	for j, c := range typeCases {
		if got, null := res.Text(0, j); got != c.want || null {
			t.Errorf("%s reads %q (null %v), want %q", c.expr, got, null, c.want)
		}
	}
	if typ := res.Columns[13].Type; typ != "timetz" {
		t.Errorf("the timetz column's type reads %q", typ)
	}
	nullCol := len(typeCases)
	if _, null := res.Text(0, nullCol); !null {
		t.Error("SQL NULL is not NULL")
	}
	if got := res.Display(0, nullCol); got != "NULL" {
		t.Errorf("NULL displays as %q", got)
	}
	if got := res.Display(0, nullCol-2); got != "'NULL'" {
		t.Errorf("the text 'NULL' displays as %q, want it quoted apart from SQL NULL", got)
	}
	// Values for charts and comparisons: real and numeric are not
	// widened with binary noise.
	if v := res.Rows[0][4]; v != 4.7 {
		t.Errorf("real 4.7 has value %#v", v)
	}
	if v := res.Rows[0][1]; v != 123.45 {
		t.Errorf("numeric 123.4500 has value %#v", v)
	}

	model := res.ForModel()
	for _, want := range []string{"\n9007199254740993 | ", "| 4.7 |", "| 2026-03-01 08:00:00.123456 |", "| 4 years 1 mon 17 days |", "| 'NULL' | true | NULL\n"} {
		if !strings.Contains(model, want) {
			t.Errorf("the model's view lacks %q:\n%s", want, model)
		}
	}

	// psql prints the same (its booleans are t and f).
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Log("psql not installed; skipping the comparison with psql")
		return
	}
	out, err := exec.Command(psql, f.db.ReadonlyDSN(), "-AtXz", "-c", sql).Output()
	if err != nil {
		t.Fatalf("psql: %v", err)
	}
	printed := strings.Split(strings.TrimSuffix(string(out), "\n"), "\x00")
	if len(printed) != len(typeCases)+1 {
		t.Fatalf("psql printed %d fields: %q", len(printed), out)
	}
	for j, c := range typeCases {
		if c.expr == "true" {
			continue
		}
		if got, _ := res.Text(0, j); got != printed[j] {
			t.Errorf("%s: bot reads %q, psql prints %q", c.expr, got, printed[j])
		}
	}
}
