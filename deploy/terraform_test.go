package deploy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
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
}

// sgRules describes every security group rule of the module, per group it belongs to, as
// "in tcp 8000-8000 sg:${aws_security_group.vpc_link.id}" or "out tcp 443-443 cidr:0.0.0.0/0".
func sgRules(t *testing.T, e *evaluator) map[string][]string {
	t.Helper()
	rules := map[string][]string{}
	for dir, typ := range map[string]string{"in": "aws_vpc_security_group_ingress_rule", "out": "aws_vpc_security_group_egress_rule"} {
		for _, addr := range e.m.ofType(typ) {
			b := e.m.block(t, addr)
			for _, scope := range e.instances(addr) {
				var peers []string
				for arg, label := range map[string]string{"referenced_security_group_id": "sg:", "cidr_ipv4": "cidr:", "cidr_ipv6": "cidr6:", "prefix_list_id": "pl:"} {
					if x := attr(b, arg); x != nil {
						peers = append(peers, label+e.str(x, scope))
					}
				}
				if len(peers) != 1 {
					t.Fatalf("%s: want exactly one peer (group, CIDR or prefix list), got %v", addr, peers)
				}
				ports := "all"
				if from, to := attr(b, "from_port"), attr(b, "to_port"); from != nil || to != nil {
					ports = fmt.Sprintf("%s-%s", e.eval(from, scope).AsBigFloat().String(), e.eval(to, scope).AsBigFloat().String())
				}
				group := e.str(attr(b, "security_group_id"), scope)
				rules[group] = append(rules[group], fmt.Sprintf("%s %s %s %s", dir, e.str(attr(b, "ip_protocol"), scope), ports, peers[0]))
			}
		}
	}
	for g := range rules {
		sort.Strings(rules[g])
	}
	return rules
}

func TestSecurityGroupRulesAreExactlyTheDesign(t *testing.T) {
	t.Parallel()
	m := loadModule(t)
	e := m.newEvaluator(t, nil)

	const (
		ec2     = "${aws_security_group.ec2.id}"
		rds     = "${aws_security_group.rds.id}"
		vpcLink = "${aws_security_group.vpc_link.id}"
		bastion = "${aws_security_group.bastion.id}"
	)
	want := map[string][]string{
		ec2: {
			"in tcp 22-22 sg:" + bastion,
			"in tcp 8000-8000 sg:" + vpcLink,
			"out tcp 443-443 cidr:0.0.0.0/0",
			"out tcp 5432-5432 sg:" + rds,
		},
		rds:     {"in tcp 5432-5432 sg:" + ec2},
		vpcLink: {"out tcp 8000-8000 sg:" + ec2},
		bastion: {"out tcp 22-22 sg:" + ec2},
	}
	got := sgRules(t, e)
	for group, rules := range want {
		if !slices.Equal(got[group], rules) {
			t.Errorf("rules of %s:\n got  %q\n want %q", group, got[group], rules)
		}
	}
	for group := range got {
		if _, ok := want[group]; !ok {
			t.Errorf("unexpected rules on %s: %q", group, got[group])
		}
	}

	// Rules only as separate resources: inline blocks or legacy rules would escape the check above.
	if legacy := m.ofType("aws_security_group_rule"); len(legacy) > 0 {
		t.Errorf("aws_security_group_rule resources are not allowed: %v", legacy)
	}
	for _, addr := range m.ofType("aws_security_group") {
		b := m.block(t, addr)
		for _, inline := range []string{"ingress", "egress"} {
			if attr(b, inline) != nil || len(nested(b, inline)) > 0 {
				t.Errorf("%s has inline %s rules", addr, inline)
			}
		}
	}
	// The VPC's default group is managed, and emptied.
	def := m.block(t, "aws_default_security_group.this")
	if attr(def, "ingress") != nil || attr(def, "egress") != nil || len(def.Body.Blocks) > 0 {
		t.Errorf("aws_default_security_group.this must have no rules")
	}
	for addr, suffix := range map[string]string{"aws_security_group.ec2": "-sg-ec2", "aws_security_group.rds": "-sg-rds"} {
		if name := e.str(attr(m.block(t, addr), "name"), nil); !strings.HasSuffix(name, suffix) {
			t.Errorf("%s is named %q, want …%s", addr, name, suffix)
		}
	}
}

func TestBastionCIDRsOnlyOpenTheBastion(t *testing.T) {
	t.Parallel()
	m := loadModule(t)
	e := m.newEvaluator(t, map[string]cty.Value{
		"bastion_ingress_cidrs": cty.ListVal([]cty.Value{cty.StringVal("203.0.113.7/32")}),
	})
	got := sgRules(t, e)
	if want := []string{"in tcp 22-22 cidr:203.0.113.7/32", "out tcp 22-22 sg:${aws_security_group.ec2.id}"}; !slices.Equal(got["${aws_security_group.bastion.id}"], want) {
		t.Errorf("bastion rules: got %q, want %q", got["${aws_security_group.bastion.id}"], want)
	}
	for _, r := range got["${aws_security_group.ec2.id}"] {
		if strings.Contains(r, "cidr:203.0.113.7/32") {
			t.Errorf("bastion CIDR reached sg-ec2 directly: %s", r)
		}
	}
}

func TestDatabaseIsPrivateEncryptedAndBackedUp(t *testing.T) {
	t.Parallel()
	m := loadModule(t)
	db := m.block(t, "aws_db_instance.this")
	for _, env := range []string{"prod", "staging", "dev"} {
		e := m.newEvaluator(t, map[string]cty.Value{"environment": cty.StringVal(env)})
		mustBool(t, e, db, "publicly_accessible", false)
		mustBool(t, e, db, "storage_encrypted", true)
		mustBool(t, e, db, "deletion_protection", env == "prod")
		mustBool(t, e, db, "skip_final_snapshot", env != "prod")
		if days := e.eval(attr(db, "backup_retention_period"), nil); days.LessThan(cty.NumberIntVal(1)).True() {
			t.Errorf("%s: backup_retention_period = %s, automated backups must stay on", env, days.AsBigFloat())
		}
		if sgs := refs(attr(db, "vpc_security_group_ids")); !slices.Equal(sgs, []string{"aws_security_group.rds.id"}) {
			t.Errorf("RDS security groups: %v, want sg-rds only", sgs)
		}
	}
	if !rejects(t, m, "db_backup_retention_days", cty.NumberIntVal(0)) {
		t.Errorf("db_backup_retention_days = 0 (no backups) must be rejected")
	}

	// The master password: generated by the AWS provider, write-only everywhere.
	if attr(db, "password") != nil || attr(db, "manage_master_user_password") != nil {
		t.Errorf("RDS password must only be given through password_wo")
	}
	gen := "ephemeral.aws_secretsmanager_random_password.db_master.random_password"
	if got := refs(attr(db, "password_wo")); !slices.Equal(got, []string{gen}) {
		t.Errorf("password_wo refers to %v, want %s", got, gen)
	}
	p := m.block(t, "aws_ssm_parameter.postgres_password")
	if got := refs(attr(p, "value_wo")); !slices.Equal(got, []string{gen}) {
		t.Errorf("POSTGRES_PASSWORD value_wo refers to %v, want %s", got, gen)
	}
	if a, b := refs(attr(db, "password_wo_version")), refs(attr(p, "value_wo_version")); !slices.Equal(a, b) || len(a) != 1 {
		t.Errorf("RDS (%v) and SSM (%v) must rotate on the same version variable", a, b)
	}
	for addr := range m.resources {
		if strings.HasPrefix(addr, "random_") {
			t.Errorf("%s: use the AWS provider's password generator, not hashicorp/random", addr)
		}
	}

	// Two private subnets in two zones.
	e := m.newEvaluator(t, nil)
	sub := m.block(t, "aws_subnet.private")
	var zones, cidrs []string
	for _, scope := range e.instances("aws_subnet.private") {
		zones = append(zones, e.str(attr(sub, "availability_zone"), scope))
		cidrs = append(cidrs, e.str(attr(sub, "cidr_block"), scope))
	}
	if len(zones) != 2 || zones[0] == zones[1] {
		t.Errorf("private subnets in zones %v, want two different zones", zones)
	}
	if !slices.Equal(cidrs, []string{"10.0.100.0/24", "10.0.101.0/24"}) {
		t.Errorf("private subnets %v, want 10.0.100.0/24 and 10.0.101.0/24", cidrs)
	}
	if got := e.str(attr(m.block(t, "aws_subnet.public"), "cidr_block"), nil); got != "10.0.1.0/24" {
		t.Errorf("public subnet %s, want 10.0.1.0/24", got)
	}
	if !refersTo(attr(m.block(t, "aws_db_subnet_group.this"), "subnet_ids"), "aws_subnet.private") {
		t.Errorf("the DB subnet group must use the private subnets")
	}
}

func TestInstancesHaveNoPublicIPAndRequireIMDSv2(t *testing.T) {
	t.Parallel()
	m := loadModule(t)
	e := m.newEvaluator(t, map[string]cty.Value{"nat_mode": cty.StringVal("instance")})
	for _, addr := range m.ofType("aws_instance") {
		b := m.block(t, addr)
		md := nested(b, "metadata_options")
		if len(md) != 1 {
			t.Fatalf("%s: want one metadata_options block", addr)
		}
		if got := e.str(attr(md[0], "http_tokens"), nil); got != "required" {
			t.Errorf("%s: http_tokens = %q, want required (IMDSv2)", addr, got)
		}
		root := nested(b, "root_block_device")
		if len(root) != 1 {
			t.Fatalf("%s: want one root_block_device block", addr)
		}
		mustBool(t, e, root[0], "encrypted", true)
	}

	app := m.block(t, "aws_instance.app")
	mustBool(t, e, app, "associate_public_ip_address", false)
	if !refersTo(attr(app, "subnet_id"), "aws_subnet.private") {
		t.Errorf("the app instance must run in a private subnet, got %v", refs(attr(app, "subnet_id")))
	}
	if got := refs(attr(app, "vpc_security_group_ids")); !slices.Equal(got, []string{"aws_security_group.ec2.id"}) {
		t.Errorf("app security groups %v, want sg-ec2 only", got)
	}
	for _, scope := range e.instances("aws_subnet.private") {
		mustBoolIn(t, e, m.block(t, "aws_subnet.private"), "map_public_ip_on_launch", false, scope)
	}
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
			secret := strings.Contains(name, "PASSWORD") || strings.Contains(name, "TOKEN") ||
				strings.Contains(name, "SECRET") || strings.Contains(name, "API_KEY")
			if secret && (attr(b, "value") != nil || attr(b, "value_wo") == nil) {
				t.Errorf("%s: a secret must only pass through value_wo (never stored in state)", name)
			}
		}
	}
	var want []string
	for _, v := range configVariables {
		want = append(want, "/analytics-bot/"+v)
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
	for _, name := range []string{"ALLOWED_CHANNELS", "ALLOWED_USERS"} {
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

func TestAlarms(t *testing.T) {
	t.Parallel()
	m := loadModule(t)
	e := m.newEvaluator(t, nil)
	type alarm struct {
		metric, stat, op string
		threshold        int64
		seconds          int64
	}
	found := map[string]alarm{}
	for _, addr := range m.ofType("aws_cloudwatch_metric_alarm") {
		b := m.block(t, addr)
		if !refersTo(attr(b, "alarm_actions"), "aws_sns_topic.alarms") {
			t.Errorf("%s must notify the SNS topic", addr)
		}
		if !refersTo(attr(b, "dimensions"), "aws_instance.app") {
			continue
		}
		if got, want := e.eval(attr(b, "count"), nil), e.vars["app_instance_count"]; !got.Equals(want).True() {
			t.Errorf("%s: one alarm per app instance", addr)
		}
		period, _ := e.eval(attr(b, "period"), nil).AsBigFloat().Int64()
		n, _ := e.eval(attr(b, "evaluation_periods"), nil).AsBigFloat().Int64()
		th, _ := e.eval(attr(b, "threshold"), nil).AsBigFloat().Int64()
		a := alarm{e.str(attr(b, "metric_name"), nil), e.str(attr(b, "statistic"), nil), e.str(attr(b, "comparison_operator"), nil), th, period * n}
		found[a.metric] = a
		if ns := e.str(attr(b, "namespace"), nil); ns != "AWS/EC2" {
			t.Errorf("%s: namespace %s", addr, ns)
		}
	}
	if a, ok := found["StatusCheckFailed"]; !ok || a.op != "GreaterThanOrEqualToThreshold" || a.threshold != 1 || a.stat != "Maximum" {
		t.Errorf("StatusCheckFailed alarm on the app instance: %+v (present %v)", a, ok)
	}
	if a, ok := found["CPUUtilization"]; !ok || a.op != "GreaterThanThreshold" || a.threshold != 80 || a.stat != "Average" || a.seconds != 600 {
		t.Errorf("CPU > 80%% for 10 minutes alarm on the app instance: %+v (present %v)", a, ok)
	}
	if got := e.str(attr(m.block(t, "aws_sns_topic_subscription.email"), "protocol"), nil); got != "email" {
		t.Errorf("alarm e-mail subscription protocol %q", got)
	}
}

func TestNATModesSwitchCleanly(t *testing.T) {
	t.Parallel()
	m := loadModule(t)
	gatewayOnly := []string{"aws_eip.nat", "aws_nat_gateway.this", "aws_route.private_nat_gateway"}
	instanceOnly := []string{"aws_instance.nat", "aws_security_group.nat", "aws_route.private_nat_instance",
		"aws_vpc_security_group_egress_rule.nat_https", "aws_cloudwatch_metric_alarm.nat_status_check", "data.aws_ssm_parameter.nat_ami"}
	for _, mode := range []string{"gateway", "instance"} {
		e := m.newEvaluator(t, map[string]cty.Value{"nat_mode": cty.StringVal(mode)})
		for _, addr := range append(slices.Clone(gatewayOnly), instanceOnly...) {
			want := 0
			if slices.Contains(gatewayOnly, addr) == (mode == "gateway") {
				want = 1
			}
			if got := len(e.instances(addr)); got != want {
				t.Errorf("nat_mode=%s: %d × %s, want %d", mode, got, addr, want)
			}
		}

		// Exactly one default route for the private subnets, to this mode's NAT.
		var targets []string
		for _, addr := range m.ofType("aws_route") {
			b := m.block(t, addr)
			if !refersTo(attr(b, "route_table_id"), "aws_route_table.private") {
				continue
			}
			for _, scope := range e.instances(addr) {
				if e.str(attr(b, "destination_cidr_block"), scope) != "0.0.0.0/0" {
					continue
				}
				for _, arg := range []string{"nat_gateway_id", "network_interface_id", "gateway_id", "instance_id"} {
					if x := attr(b, arg); x != nil {
						targets = append(targets, arg+"="+strings.Join(refs(x), ","))
					}
				}
			}
		}
		want := map[string]string{
			"gateway":  "nat_gateway_id=aws_nat_gateway.this.id",
			"instance": "network_interface_id=aws_instance.nat.primary_network_interface_id",
		}[mode]
		if !slices.Equal(targets, []string{want}) {
			t.Errorf("nat_mode=%s: private default routes %v, want [%s]", mode, targets, want)
		}
	}

	e := m.newEvaluator(t, map[string]cty.Value{"nat_mode": cty.StringVal("instance")})
	nat := m.block(t, "aws_instance.nat")
	mustBool(t, e, nat, "source_dest_check", false)
	if got := e.str(attr(nat, "instance_type"), nil); got != "t4g.nano" {
		t.Errorf("NAT instance type %s, want t4g.nano", got)
	}
	if got := e.str(attr(m.block(t, "data.aws_ssm_parameter.nat_ami"), "name"), map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(0)})}); !strings.HasSuffix(got, "-arm64") {
		t.Errorf("NAT AMI %s, want an arm64 (Graviton) image", got)
	}
	if !rejects(t, m, "nat_instance_type", cty.StringVal("t3.nano")) || rejects(t, m, "nat_instance_type", cty.StringVal("t4g.micro")) {
		t.Errorf("nat_instance_type must accept Graviton types only")
	}
	if !rejects(t, m, "nat_mode", cty.StringVal("none")) {
		t.Errorf("nat_mode must be gateway or instance")
	}
}

func TestArchitectureChoosesInstanceTypeAMIAndBinary(t *testing.T) {
	t.Parallel()
	m := loadModule(t)
	app := m.block(t, "aws_instance.app")
	for arch, want := range map[string]struct{ typ, goarch string }{
		"x86_64": {"t3.micro", "amd64"},
		"arm64":  {"t4g.micro", "arm64"},
	} {
		e := m.newEvaluator(t, map[string]cty.Value{"app_architecture": cty.StringVal(arch)})
		scope := e.instances("aws_instance.app")[0]
		if got := e.str(attr(app, "instance_type"), scope); got != want.typ {
			t.Errorf("%s: instance type %s, want %s", arch, got, want.typ)
		}
		if got := e.str(attr(m.block(t, "data.aws_ssm_parameter.app_ami"), "name"), nil); !strings.HasSuffix(got, "-"+arch) {
			t.Errorf("%s: AMI parameter %s", arch, got)
		}
		userData := e.str(attr(app, "user_data"), scope)
		if !strings.Contains(userData, "GOARCH='"+want.goarch+"'") {
			t.Errorf("%s: user data does not install the %s binary", arch, want.goarch)
		}
	}
	if !rejects(t, m, "app_instance_type", cty.StringVal("t3.micro"), "app_architecture", cty.StringVal("arm64")) {
		t.Errorf("an x86 instance type must be rejected for arm64")
	}
	if !rejects(t, m, "app_instance_type", cty.StringVal("t4g.micro")) {
		t.Errorf("a Graviton instance type must be rejected for x86_64")
	}
	if rejects(t, m, "app_instance_type", cty.StringVal("t4g.small"), "app_architecture", cty.StringVal("arm64")) {
		t.Errorf("t4g.small must be accepted for arm64")
	}
}

func TestProviderPinnedAndOutputsExist(t *testing.T) {
	t.Parallel()
	m := loadModule(t)
	var pinned bool
	for _, tb := range m.terraform {
		for _, rp := range nested(tb, "required_providers") {
			for name, a := range rp.Body.Attributes {
				if name != "aws" {
					t.Errorf("provider %s: only hashicorp/aws is available", name)
					continue
				}
				e := m.newEvaluator(t, nil)
				v := e.eval(a.Expr, nil)
				pinned = v.GetAttr("source").AsString() == "hashicorp/aws" && v.GetAttr("version").AsString() == "~> 6.0"
			}
		}
	}
	if !pinned {
		t.Errorf("hashicorp/aws must be pinned to ~> 6.0")
	}
	for _, o := range []string{"slack_request_url", "rds_endpoint", "sns_topic_arn"} {
		if _, ok := m.outputs[o]; !ok {
			t.Errorf("output %s is missing", o)
		}
	}
	for name, o := range m.outputs {
		for _, r := range refs(attr(o, "value")) {
			if strings.Contains(r, "password") || strings.Contains(r, "ssm_secret_values") {
				t.Errorf("output %s exposes %s", name, r)
			}
		}
	}
	for name, v := range m.variables {
		if attr(v, "description") == nil {
			t.Errorf("variable %s has no description", name)
		}
	}
}

// rejects reports whether a variable's validation refuses the value (given as name, value
// pairs: the first is the variable validated, the others are set alongside it).
func rejects(t *testing.T, m *tfModule, kv ...any) bool {
	t.Helper()
	overrides := map[string]cty.Value{}
	for i := 0; i < len(kv); i += 2 {
		overrides[kv[i].(string)] = kv[i+1].(cty.Value)
	}
	name := kv[0].(string)
	e := m.newEvaluator(t, overrides)
	checks := nested(m.variables[name], "validation")
	if len(checks) == 0 {
		t.Fatalf("variable %s has no validation", name)
	}
	for _, v := range checks {
		if e.eval(attr(v, "condition"), nil).False() {
			return true
		}
	}
	return false
}

// mustBool checks that an argument is set and evaluates to want.
func mustBool(t *testing.T, e *evaluator, b *hclsyntax.Block, name string, want bool) {
	t.Helper()
	mustBoolIn(t, e, b, name, want, nil)
}

func mustBoolIn(t *testing.T, e *evaluator, b *hclsyntax.Block, name string, want bool, scope map[string]cty.Value) {
	t.Helper()
	x := attr(b, name)
	if x == nil {
		t.Errorf("%s %v: %s is not set, want %v", b.Type, b.Labels, name, want)
		return
	}
	v := e.eval(x, scope)
	if !v.IsKnown() || v.IsNull() || !v.Type().Equals(cty.Bool) || v.True() != want {
		t.Errorf("%s %v: %s = %#v, want %v", b.Type, b.Labels, name, v, want)
	}
}
