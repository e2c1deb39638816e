package deploy

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/analytics-bot/analytics-bot/config"
)

// configVariables is INTERFACE.md's configuration table as the SSM parameters must cover it.
var configVariables = []string{
	"PROJECT_NAME", "DEBUG", "ENVIRONMENT", "PORT",
	"POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB",
	"POSTGRES_READONLY_USER", "POSTGRES_READONLY_PASSWORD",
	"OPENAI_API_KEY", "OPENAI_BASE_URL", "AI_MODEL",
	"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET",
	"LOGFIRE_TOKEN", "LOGFIRE_READ_TOKEN", "LOGFIRE_SERVICE_NAME", "LOGFIRE_ENVIRONMENT",
	"QUERY_TIMEOUT", "MAX_RESULT_ROWS", "EXPORT_MAX_ROWS",
	"ALLOWED_CHANNELS", "ALLOWED_USERS", "CHARTS", "WORKERS",
	// Beyond INTERFACE.md: hosts whose links in answers stay links (issue 14).
	"ALLOWED_LINK_HOSTS",
	// Issue 14's budgets: EXPORT_MAX_BYTES is in INTERFACE.md, the rest beyond it.
	"EXPORT_MAX_BYTES", "MAX_RESULT_BYTES", "MAX_TOOL_CALLS_PER_TURN", "MAX_EXPORTS_PER_QUESTION", "MAX_QUESTIONS_PER_USER",
}

func TestEveryConfigVariableIsASecureStringUnderThePrefix(t *testing.T) {
	t.Parallel()
	m := loadModule(t)
	e := m.newEvaluator(t, nil)
	var names []string
	for _, addr := range m.ofType("aws_ssm_parameter") {
		b := m.block(t, addr)
		for _, scope := range e.instances(addr) {
			name := e.str(attr(b, "name"), scope)
			names = append(names, name)
			if typ := e.str(attr(b, "type"), scope); typ != "SecureString" {
				t.Errorf("%s: type %q, want SecureString", name, typ)
			}
			if !refersTo(attr(b, "key_id"), "aws_kms_key.ssm") {
				t.Errorf("%s: must be encrypted with aws_kms_key.ssm", name)
			}
			upper := strings.ToUpper(name)
			secret := strings.Contains(upper, "PASSWORD") || strings.Contains(upper, "TOKEN") ||
				strings.Contains(upper, "SECRET") || strings.Contains(upper, "KEY")
			if secret && (attr(b, "value") != nil || attr(b, "value_wo") == nil) {
				t.Errorf("%s: a secret must only pass through value_wo (never stored in state)", name)
			}
		}
	}
	var want []string
	for _, v := range configVariables {
		if !slices.Contains(config.Variables(), v) {
			t.Errorf("%s is not a setting the bot reads (config.Variables)", v)
		}
		want = append(want, "/analytics-bot/"+config.ParameterName(v))
	}
	sort.Strings(names)
	sort.Strings(want)
	if !slices.Equal(names, want) {
		t.Errorf("SSM parameters:\n got  %q\n want %q", names, want)
	}

	// The app must get its settings from the same prefix the parameters live under.
	if got := e.str(attr(m.variables["ssm_prefix"], "default"), nil); got != "/analytics-bot" {
		t.Errorf("ssm_prefix default %q, want /analytics-bot", got)
	}
	settings := e.local("ssm_settings")
	if v := settings.GetAttr("PORT").AsString(); v != "8000" {
		t.Errorf("PORT = %q, want 8000", v)
	}
	if v := settings.GetAttr("POSTGRES_HOST").AsString(); v != "${aws_db_instance.this.address}" {
		t.Errorf("POSTGRES_HOST = %q, want the RDS address", v)
	}
	for _, name := range []string{"ALLOWED_CHANNELS", "ALLOWED_USERS", "ALLOWED_LINK_HOSTS"} {
		if v := settings.GetAttr(name).AsString(); strings.TrimSpace(v) != "" {
			t.Errorf("%s = %q by default, want blank (everyone)", name, v)
		}
	}
}

// iamStatement is one statement of an IAM policy document.
type iamStatement struct {
	Effect    string
	Action    []string
	Resource  []string
	Condition map[string]map[string]string
}

func appPolicy(t *testing.T, m *tfModule, overrides map[string]cty.Value) []iamStatement {
	t.Helper()
	e := m.newEvaluator(t, overrides)
	doc := e.str(attr(m.block(t, "aws_iam_role_policy.app"), "policy"), nil)
	var policy struct{ Statement []iamStatement }
	if err := json.Unmarshal([]byte(doc), &policy); err != nil {
		t.Fatalf("app policy is not JSON: %v\n%s", err, doc)
	}
	return policy.Statement
}

func TestAppRoleReadsOnlyItsParameters(t *testing.T) {
	t.Parallel()
	m := loadModule(t)
	ssmARN := regexp.MustCompile(`^arn:\$\{data\.aws_partition\.current\.partition\}:ssm:us-east-1:\$\{data\.aws_caller_identity\.current\.account_id\}:parameter/analytics-bot(/\*)?$`)

	for _, tc := range []struct {
		release string
		s3      []string
	}{
		{"s3://rel-bucket/analytics-bot", []string{"arn:${data.aws_partition.current.partition}:s3:::rel-bucket/analytics-bot/*"}},
		{"https://github.com/analytics-bot/analytics-bot/releases/download", nil},
	} {
		var ssmSeen, kmsSeen bool
		var s3 []string
		for _, st := range appPolicy(t, m, map[string]cty.Value{"release_base_url": cty.StringVal(tc.release)}) {
			if st.Effect != "Allow" {
				t.Errorf("unexpected effect %q", st.Effect)
			}
			for _, r := range st.Resource {
				if r == "*" {
					t.Errorf("statement %v grants on every resource", st.Action)
				}
			}
			for _, a := range st.Action {
				switch {
				case strings.Contains(a, "*"):
					t.Errorf("wildcard action %q", a)
				case slices.Contains([]string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"}, a):
					ssmSeen = true
					for _, r := range st.Resource {
						if !ssmARN.MatchString(r) {
							t.Errorf("%s on %q: outside /analytics-bot/*", a, r)
						}
					}
				case a == "kms:Decrypt":
					kmsSeen = true
					if !slices.Equal(st.Resource, []string{"${aws_kms_key.ssm.arn}"}) {
						t.Errorf("kms:Decrypt on %v, want the parameters' key only", st.Resource)
					}
					if got := st.Condition["StringEquals"]["kms:ViaService"]; got != "ssm.us-east-1.amazonaws.com" {
						t.Errorf("kms:Decrypt must be limited to SSM, kms:ViaService = %q", got)
					}
				case a == "s3:GetObject":
					s3 = append(s3, st.Resource...)
				default:
					t.Errorf("unexpected action %q", a)
				}
			}
		}
		if !ssmSeen || !kmsSeen {
			t.Errorf("%s: the role must read and decrypt its parameters (ssm %v, kms %v)", tc.release, ssmSeen, kmsSeen)
		}
		if !slices.Equal(s3, tc.s3) {
			t.Errorf("%s: S3 access %q, want %q", tc.release, s3, tc.s3)
		}
	}

	// No managed policies or other grants on the role.
	for _, typ := range []string{"aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_policy", "aws_iam_role_policies_exclusive"} {
		if got := m.ofType(typ); len(got) > 0 {
			t.Errorf("%s is not allowed: %v", typ, got)
		}
	}
	if got := m.ofType("aws_iam_role_policy"); !slices.Equal(got, []string{"aws_iam_role_policy.app"}) {
		t.Errorf("role policies %v, want aws_iam_role_policy.app only", got)
	}
	if !refersTo(attr(m.block(t, "aws_instance.app"), "iam_instance_profile"), "aws_iam_instance_profile.app") {
		t.Errorf("the app instance must use aws_iam_instance_profile.app")
	}
}
