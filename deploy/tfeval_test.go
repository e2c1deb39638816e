package deploy

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// evaluator computes what Terraform would for everything that depends only on variables,
// locals and literals. Anything known only after apply (a resource's id, a data source's
// result) evaluates to the placeholder string "${aws_kms_key.ssm.arn}" when it names an
// attribute, else to an unknown value; fixtures stand in for chosen data-source results.
type evaluator struct {
	t        *testing.T
	m        *tfModule
	vars     map[string]cty.Value
	fixtures map[string]cty.Value
	locals   map[string]cty.Value
	busy     map[string]bool
}

// defaultFixtures are data-source results the assertions need as real values.
var defaultFixtures = map[string]cty.Value{
	"data.aws_availability_zones.available.names": cty.ListVal([]cty.Value{
		cty.StringVal("us-east-1a"), cty.StringVal("us-east-1b"), cty.StringVal("us-east-1c"),
	}),
}

// requiredVars supplies the variables that have no default.
var requiredVars = map[string]cty.Value{
	"release_base_url": cty.StringVal("s3://rel-bucket/analytics-bot"),
	"release_version":  cty.StringVal("v1.0.0"),
}

// newEvaluator evaluates with the variables' defaults, requiredVars and then overrides.
func (m *tfModule) newEvaluator(t *testing.T, overrides map[string]cty.Value) *evaluator {
	t.Helper()
	e := &evaluator{t: t, m: m, vars: map[string]cty.Value{}, fixtures: defaultFixtures,
		locals: map[string]cty.Value{}, busy: map[string]bool{}}
	for name, b := range m.variables {
		ty := cty.DynamicPseudoType
		if te := attr(b, "type"); te != nil {
			var diags hcl.Diagnostics
			if ty, diags = typeexpr.TypeConstraint(te); diags.HasErrors() {
				t.Fatalf("variable %s: type: %s", name, diags.Error())
			}
		}
		v := cty.NullVal(ty)
		if rv, ok := requiredVars[name]; ok {
			v = rv
		}
		if d := attr(b, "default"); d != nil {
			v = e.eval(d, nil)
		}
		if ov, ok := overrides[name]; ok {
			v = ov
		}
		cv, err := convert.Convert(v, ty)
		if err != nil {
			t.Fatalf("variable %s: %v", name, err)
		}
		e.vars[name] = cv
	}
	for name := range overrides {
		if _, ok := m.variables[name]; !ok {
			t.Fatalf("override of undeclared variable %q", name)
		}
	}
	return e
}

// eval evaluates expr; scope supplies "each" and "count".
func (e *evaluator) eval(expr hcl.Expression, scope map[string]cty.Value) cty.Value {
	e.t.Helper()
	v, diags := expr.Value(e.context(expr, scope))
	if diags.HasErrors() {
		e.t.Fatalf("evaluate %s: %s", expr.Range(), diags.Error())
	}
	return v
}

// str evaluates expr to a known string.
func (e *evaluator) str(expr hcl.Expression, scope map[string]cty.Value) string {
	e.t.Helper()
	if expr == nil {
		e.t.Fatalf("missing argument (wanted a string)")
	}
	v := e.eval(expr, scope)
	if !v.IsKnown() || v.IsNull() || !v.Type().Equals(cty.String) {
		e.t.Fatalf("%s: want a known string, got %#v", expr.Range(), v)
	}
	return v.AsString()
}

// local evaluates a local value (cached).
func (e *evaluator) local(name string) cty.Value {
	e.t.Helper()
	if v, ok := e.locals[name]; ok {
		return v
	}
	a, ok := e.m.locals[name]
	if !ok {
		e.t.Fatalf("local.%s is not defined", name)
	}
	if e.busy[name] {
		e.t.Fatalf("local.%s refers to itself", name)
	}
	e.busy[name] = true
	v := e.eval(a.Expr, nil)
	delete(e.busy, name)
	e.locals[name] = v
	return v
}

// instances expands count / for_each of a resource into one scope per instance.
func (e *evaluator) instances(addr string) []map[string]cty.Value {
	e.t.Helper()
	b := e.m.block(e.t, addr)
	if c := attr(b, "count"); c != nil {
		v := e.eval(c, nil)
		if !v.IsKnown() || v.IsNull() {
			e.t.Fatalf("%s: count is not known from variables", addr)
		}
		n, _ := v.AsBigFloat().Int64()
		scopes := make([]map[string]cty.Value, n)
		for i := range scopes {
			scopes[i] = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(i))})}
		}
		return scopes
	}
	if fe := attr(b, "for_each"); fe != nil {
		v := e.eval(fe, nil)
		if !v.IsWhollyKnown() || v.IsNull() {
			e.t.Fatalf("%s: for_each is not known from variables", addr)
		}
		var scopes []map[string]cty.Value
		for it := v.ElementIterator(); it.Next(); {
			k, val := it.Element()
			if v.Type().IsSetType() {
				k = val
			}
			scopes = append(scopes, map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": val})})
		}
		return scopes
	}
	return []map[string]cty.Value{nil}
}

func (e *evaluator) context(expr hcl.Expression, scope map[string]cty.Value) *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":  cty.ObjectVal(e.vars),
		"path": cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(e.m.dir)}),
	}
	for k, v := range scope {
		vars[k] = v
	}
	locals := map[string]cty.Value{}
	tree := placeholderTree{}
	for _, tr := range expr.Variables() {
		switch root := tr.RootName(); root {
		case "var", "path", "each", "count":
		case "local":
			if a, ok := tr[1].(hcl.TraverseAttr); ok {
				locals[a.Name] = e.local(a.Name)
			}
		default:
			tree.add(tr, e.fixtures)
		}
	}
	vars["local"] = cty.ObjectVal(locals)
	for root, v := range tree.values() {
		vars[root] = v
	}
	return &hcl.EvalContext{Variables: vars, Functions: e.functions()}
}
