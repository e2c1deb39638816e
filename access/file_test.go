package access_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/access"
)

func TestParseNamesEveryProblemWithItsLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		file string
		want []string // "line: fragment"
	}{
		{"unknown key", "roles:\n  - name: eu\n    schemas: [public]\n    scemas: [x]\n", []string{`4: unknown key "scemas"`}},
		{"unknown role in a rule", "roles:\n  - name: eu\n    schemas: [public]\nrules:\n  - channels: [C1]\n    role: finance\n",
			[]string{`5: rule names role "finance"`}},
		{"channel mapped twice", "roles:\n  - name: eu\n    schemas: [public]\nrules:\n  - channels: [C1]\n    role: eu\n  - channels: [C2, C1]\n    role: eu\n",
			[]string{"7: channel C1 is mapped twice (first on line 5)"}},
		{"several at once", "roles:\n  - name: eu\n    schemas: []\n  - name: eu\n    schemas: [analytics_bot]\n    tables: [app_metrics]\nrules:\n  - role: eu\ndefault: nobody\n",
			[]string{`2: role "eu" needs at least one schema`, `4: role "eu" is listed twice (first on line 2)`, `4: role "eu": schema "analytics_bot" is not analytics data`,
				`4: role "eu": table "app_metrics" must be written schema.table`, "8: a rule needs channels, users or usergroups", `default role "nobody"`}},
		{"an unknown key and an unknown role, in one run", "roles:\n  - name: eu\n    schemas: [public]\n    scemas: [x]\nrules:\n  - channels: [C1]\n    role: finance\n",
			[]string{`4: unknown key "scemas"`, `6: rule names role "finance"`}},
		{"the read-only or owner role as a data role", "roles:\n  - name: readonly\n    schemas: [public]\n  - name: owner\n    schemas: [public]\n",
			[]string{`2: role "readonly" is POSTGRES_READONLY_USER`, `4: role "owner" is POSTGRES_USER`}},
	} {
		_, err := access.Parse("access.yaml", []byte(tc.file), "readonly", "owner")
		var problems access.Problems
		if !errors.As(err, &problems) {
			t.Errorf("%s: err = %v, want Problems", tc.name, err)
			continue
		}
		text := problems.Error()
		for _, w := range tc.want {
			if !strings.Contains(text, "access.yaml:"+w) && !strings.Contains(text, w) {
				t.Errorf("%s: problems lack %q:\n%s", tc.name, w, text)
			}
		}
		if len(problems) < len(tc.want) {
			t.Errorf("%s: %d problems, want %d:\n%s", tc.name, len(problems), len(tc.want), text)
		}
	}
}

func TestParseAGoodFile(t *testing.T) {
	t.Parallel()
	f, err := access.Parse("access.yaml", []byte(policyFile), "readonly", "owner")
	if err != nil {
		t.Fatal(err)
	}
	if f.Default != "readonly" || len(f.Roles) != 2 || len(f.Rules) != 3 {
		t.Errorf("parsed %+v", f)
	}
	if r, ok := f.RoleNamed("eu"); !ok || r.Line != 4 || len(r.Tables) != 1 {
		t.Errorf("eu = %+v %v", r, ok)
	}
	if f.Rules[2].Line != 13 {
		t.Errorf("third rule on line %d, want 12", f.Rules[2].Line)
	}
}

// TestAskers: a role that no rule with users or user groups names is open
// to everyone (a regional channel's role); one that such rules name is
// kept to them.
func TestAskers(t *testing.T) {
	t.Parallel()
	file := "roles:\n  - name: eu\n    schemas: [public]\n  - name: fin\n    schemas: [public]\nrules:\n  - channels: [CEU]\n    role: eu\n  - channels: [CFIN]\n    role: fin\n  - users: [U1]\n    usergroups: [S1]\n    role: fin\n"
	f, err := access.Parse("access.yaml", []byte(file), "readonly", "owner")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, open := f.Askers("eu"); !open {
		t.Error("eu, named by a channel rule only, is not open to everyone")
	}
	if users, groups, open := f.Askers("fin"); open || len(users) != 1 || len(groups) != 1 {
		t.Errorf("fin: users %v groups %v open %v; want kept to U1 and S1", users, groups, open)
	}
	if _, _, open := f.Askers("readonly"); !open {
		t.Error("the default role is not open to everyone")
	}
}
