package tools_test

import (
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/tools"
)

func TestExportCSVCutAtTheByteLimitIsMarkedPartial(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	deps := f.deps(0)
	deps.ExportMaxBytes = 2 << 20
	sql := "SELECT g, repeat('x', 500000) AS big FROM generate_series(1, 1000) g"
	out := call(t, tool(t, tools.NewSet(deps, thisThread), "export_csv"), map[string]string{"sql": sql})
	if out.IsError {
		t.Fatal(out.Text)
	}
	file := f.files.files()[0]
	if len(file.content) > 2<<20 || file.Size != int64(len(file.content)) {
		t.Errorf("file of %d bytes (size %d) for a 2MB limit", len(file.content), file.Size)
	}
	if !strings.HasSuffix(file.Name, "-partial.csv") || !strings.Contains(file.Title, "PARTIAL") {
		t.Errorf("name %q, title %q do not say the file is partial", file.Name, file.Title)
	}
	if !strings.Contains(file.Comment, "PARTIAL") || !strings.Contains(file.Comment, "EXPORT_MAX_BYTES") || !strings.Contains(file.Comment, "2MB") {
		t.Errorf("comment %q does not say the file was cut at EXPORT_MAX_BYTES", file.Comment)
	}
	if !out.Truncated || !strings.Contains(out.Text, "PARTIAL") || out.RowCount != 4 {
		t.Errorf("output: truncated %v rows %d text %q", out.Truncated, out.RowCount, out.Text)
	}
	f.assertNoTempFiles()
}

func TestExportCSVNeutralisesFormulasInThePostedFile(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	sql := `SELECT '=HYPERLINK("https://evil.example", "report")' AS "=link", -3 AS n, '@cmd' AS at`
	out := call(t, tool(t, tools.NewSet(f.deps(0), thisThread), "export_csv"), map[string]string{"sql": sql})
	if out.IsError {
		t.Fatal(out.Text)
	}
	want := "=link,n,at\n\"'=HYPERLINK(\"\"https://evil.example\"\", \"\"report\"\")\",-3,'@cmd\n"
	if got := string(f.files.files()[0].content); got != want {
		t.Errorf("posted file =\n%q\nwant\n%q", got, want)
	}
}

func TestExportsPerQuestionAreCapped(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	deps := f.deps(0)
	deps.MaxExports = 2
	export := tool(t, tools.NewSet(deps, thisThread), "export_csv")
	for i := range 2 {
		if out := call(t, export, map[string]string{"sql": "SELECT 1 AS one"}); out.IsError {
			t.Fatalf("export %d: %s", i+1, out.Text)
		}
	}
	out := call(t, export, map[string]string{"sql": "SELECT 1 AS one"})
	if !out.IsError || !strings.Contains(out.Text, "MAX_EXPORTS_PER_QUESTION") {
		t.Errorf("third export: %+v, want refused naming MAX_EXPORTS_PER_QUESTION", out)
	}
	if n := len(f.files.files()); n != 2 {
		t.Errorf("%d files posted, want 2", n)
	}
	// Another question gets its own allowance.
	if out := call(t, tool(t, tools.NewSet(deps, thisThread), "export_csv"), map[string]string{"sql": "SELECT 1 AS one"}); out.IsError {
		t.Errorf("the next question's export was refused: %s", out.Text)
	}
}
