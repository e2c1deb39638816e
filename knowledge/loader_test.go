package knowledge_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/knowledge"
)

func TestWatchReloadsChangedFiles(t *testing.T) {
	t.Parallel()
	f := setup(t)
	dir := writeDir(t, map[string]string{"verified.yaml": "verified:\n  - id: one\n    question: DAU yesterday?\n    sql: SELECT sum(dau) FROM app_metrics WHERE day = current_date - 1\n"})
	loader := &knowledge.Loader{Dir: dir, DB: f.ro, Store: f.store}
	if _, err := loader.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { loader.Watch(ctx, 20*time.Millisecond) })
	defer func() { cancel(); wg.Wait() }()

	if err := os.WriteFile(filepath.Join(dir, "verified.yaml"), []byte("verified:\n  - id: two\n    question: Crashes yesterday?\n    sql: SELECT sum(crashes) FROM app_metrics WHERE day = current_date - 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		v, err := f.store.Exact(t.Context(), "crashes yesterday")
		if err != nil {
			t.Fatal(err)
		}
		if v != nil && v.ID == "two" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the changed file was not reloaded")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v, _ := f.store.Exact(t.Context(), "DAU yesterday?"); v != nil {
		t.Errorf("an entry removed from the file is still live: %s", v.ID)
	}
}
