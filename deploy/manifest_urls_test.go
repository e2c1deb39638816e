package deploy

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestEveryManifestURLHasAnOutput: each https://YOUR-HOST/… URL of the
// Slack app manifest has a Terraform output that prints it whole, and
// bot_base_url is the bare endpoint that replaces YOUR-HOST, so that the
// deploy sequence never doubles a path.
func TestEveryManifestURLHasAnOutput(t *testing.T) {
	t.Parallel()
	manifest, err := os.ReadFile("slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := loadModule(t)
	outputs := map[string]string{} // value's source, quotes removed → output name
	for name, b := range m.outputs {
		v := attr(b, "value")
		if v == nil {
			continue
		}
		r := v.Range()
		src, err := os.ReadFile(r.Filename)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.TrimSpace(string(src[r.Start.Byte:r.End.Byte]))
		if !strings.HasPrefix(text, `"`) {
			text = "${" + text + "}"
		}
		outputs[strings.Trim(text, `"`)] = name
	}
	const endpoint = "${aws_apigatewayv2_api.this.api_endpoint}"
	if outputs[endpoint] != "bot_base_url" {
		t.Errorf("no output bot_base_url printing the bare endpoint (what replaces https://YOUR-HOST); outputs: %v", outputs)
	}
	paths := regexp.MustCompile(`https://YOUR-HOST(/\S*)`).FindAllStringSubmatch(string(manifest), -1)
	if len(paths) < 3 {
		t.Fatalf("the manifest has %d YOUR-HOST URLs, want events, interactivity and the slash command", len(paths))
	}
	for _, p := range paths {
		name, ok := outputs[endpoint+p[1]]
		if !ok {
			t.Errorf("manifest URL %s has no output printing %s%s", p[0], endpoint, p[1])
			continue
		}
		if !strings.HasPrefix(name, "slack_") {
			t.Errorf("output %s prints %s; name it slack_…_url", name, p[1])
		}
	}
}
