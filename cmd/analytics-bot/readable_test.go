package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// readyz returns /readyz's status and body.
func (b *testBot) readyz() (int, string) {
	b.t.Helper()
	resp, err := http.Get(b.url + "/readyz")
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestReadyzAndStartUpLogSayWhatTheReadonlyRoleReads(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	b := newTestBot(t, botOptions{logs: logs, noStart: true})
	ctx := context.Background()

	// With nothing readable, both say which setting to change.
	if _, err := b.db.Pool.Exec(ctx, "REVOKE SELECT ON public.app_metrics FROM abt_test_readonly"); err != nil {
		t.Fatal(err)
	}
	b.start()
	if !strings.Contains(logs.String(), `"level":"WARN","msg":"read-only role abt_test_readonly can read no tables: set ANALYTICS_SCHEMAS`) {
		t.Errorf("the start-up log does not warn that nothing is readable:\n%s", logs)
	}
	if status, body := b.readyz(); status != http.StatusOK || !strings.Contains(body, "can read no tables: set ANALYTICS_SCHEMAS") {
		t.Errorf("/readyz = %d %q, want the setting to change", status, body)
	}

	if _, err := b.db.Pool.Exec(ctx, "GRANT SELECT ON public.app_metrics TO abt_test_readonly"); err != nil {
		t.Fatal(err)
	}
	want := "read-only role abt_test_readonly can read 1 tables and views in schemas public (1)"
	if status, body := b.readyz(); status != http.StatusOK || !strings.Contains(body, want) {
		t.Errorf("/readyz = %d %q, want 200 and %q", status, body, want)
	}
}
