package deploy

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

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
