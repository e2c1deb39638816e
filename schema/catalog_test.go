package schema

import "testing"

func TestCatalogTable(t *testing.T) {
	t.Parallel()
	cat := &Catalog{Tables: []Table{
		{Schema: "analytics", Name: "events"},
		{Schema: "public", Name: "app_metrics"},
		{Schema: "public", Name: "events"},
		{Schema: "sales", Name: "Refunds"},
	}}
	tests := []struct {
		name, want string
	}{
		{"app_metrics", "public.app_metrics"},
		{"public.app_metrics", "public.app_metrics"},
		{` "public"."app_metrics" `, "public.app_metrics"},
		{"APP_METRICS", "public.app_metrics"},
		{"events", "public.events"},
		{"analytics.events", "analytics.events"},
		{`"Refunds"`, `sales."Refunds"`},
		{"refunds", `sales."Refunds"`},
		{"sales.refunds", `sales."Refunds"`},
		{"nope", ""},
		{"sales.app_metrics", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := cat.Table(tt.name)
		switch {
		case tt.want == "" && ok:
			t.Errorf("Table(%q) = %s, want none", tt.name, got.QualifiedName())
		case tt.want != "" && !ok:
			t.Errorf("Table(%q) found nothing, want %s", tt.name, tt.want)
		case ok && got.QualifiedName() != tt.want:
			t.Errorf("Table(%q) = %s, want %s", tt.name, got.QualifiedName(), tt.want)
		}
	}
}
