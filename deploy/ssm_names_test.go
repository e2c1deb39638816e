package deploy

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/config"
)

var update = flag.Bool("update", false, "rewrite generated files (terraform/ssm_names.tf) from the code")

// ssmNamesFile is the Terraform file generated from the configuration
// loader's list of settings, so that the names the Terraform writes and the
// names the bot reads come from one place.
const ssmNamesFile = "terraform/ssm_names.tf"

// renderSSMNames is the content of ssmNamesFile.
func renderSSMNames() string {
	var b strings.Builder
	b.WriteString("# Generated from config (config/names.go) by `go test ./deploy -run TestSSMNamesFile -update`;\n")
	b.WriteString("# do not edit. The Parameter Store name below ssm_prefix of every setting: the design\n")
	b.WriteString("# document's name where it gives one (slack-token for SLACK_BOT_TOKEN); a setting not\n")
	b.WriteString("# listed here is stored under its variable name (lookup(..., name, name)).\n\n")
	b.WriteString("locals {\n  ssm_parameter_names = {\n")
	var names []string
	for _, n := range config.Variables() {
		if config.ParameterName(n) != n {
			names = append(names, n)
		}
	}
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		fmt.Fprintf(&b, "    %-*s = %q\n", width, n, config.ParameterName(n))
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

func TestSSMNamesFileIsGeneratedFromConfig(t *testing.T) {
	t.Parallel()
	want := renderSSMNames()
	if *update {
		if err := os.WriteFile(ssmNamesFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(filepath.FromSlash(ssmNamesFile))
	if err != nil {
		t.Fatalf("read %s: %v (run go test ./deploy -run TestSSMNamesFile -update)", ssmNamesFile, err)
	}
	if string(got) != want {
		t.Errorf("%s is out of date with config; run go test ./deploy -run TestSSMNamesFile -update\n got:\n%s\nwant:\n%s", ssmNamesFile, got, want)
	}
}
