package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// terraformDir is the root module under test.
const terraformDir = "terraform"

// tfModule is the parsed root module: its blocks by address.
type tfModule struct {
	dir       string
	resources map[string]*hclsyntax.Block // "aws_instance.app", "data.aws_ssm_parameter.app_ami", "ephemeral.…"
	variables map[string]*hclsyntax.Block
	locals    map[string]*hclsyntax.Attribute
	outputs   map[string]*hclsyntax.Block
	providers []*hclsyntax.Block
	terraform []*hclsyntax.Block
}

// loadModule parses every *.tf file of the root module.
func loadModule(t *testing.T) *tfModule {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(terraformDir, "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no Terraform files in %s (err %v)", terraformDir, err)
	}
	m := &tfModule{
		dir:       terraformDir,
		resources: map[string]*hclsyntax.Block{},
		variables: map[string]*hclsyntax.Block{},
		locals:    map[string]*hclsyntax.Attribute{},
		outputs:   map[string]*hclsyntax.Block{},
	}
	parser := hclparse.NewParser()
	for _, p := range paths {
		f, diags := parser.ParseHCLFile(p)
		if diags.HasErrors() {
			t.Fatalf("parse %s: %s", p, diags.Error())
		}
		for _, b := range f.Body.(*hclsyntax.Body).Blocks {
			switch b.Type {
			case "resource":
				m.add(t, b.Labels[0]+"."+b.Labels[1], b)
			case "data", "ephemeral":
				m.add(t, b.Type+"."+b.Labels[0]+"."+b.Labels[1], b)
			case "variable":
				m.variables[b.Labels[0]] = b
			case "output":
				m.outputs[b.Labels[0]] = b
			case "locals":
				for name, a := range b.Body.Attributes {
					if _, dup := m.locals[name]; dup {
						t.Fatalf("local.%s defined twice", name)
					}
					m.locals[name] = a
				}
			case "provider":
				m.providers = append(m.providers, b)
			case "terraform":
				m.terraform = append(m.terraform, b)
			}
		}
	}
	return m
}

func (m *tfModule) add(t *testing.T, addr string, b *hclsyntax.Block) {
	t.Helper()
	if _, dup := m.resources[addr]; dup {
		t.Fatalf("%s defined twice", addr)
	}
	m.resources[addr] = b
}

// block returns the resource (or data/ephemeral block) at addr, failing the test without it.
func (m *tfModule) block(t *testing.T, addr string) *hclsyntax.Block {
	t.Helper()
	b, ok := m.resources[addr]
	if !ok {
		t.Fatalf("%s is missing", addr)
	}
	return b
}

// ofType returns the addresses of every resource of one type, sorted.
func (m *tfModule) ofType(typ string) []string {
	var addrs []string
	for addr := range m.resources {
		if strings.HasPrefix(addr, typ+".") {
			addrs = append(addrs, addr)
		}
	}
	sort.Strings(addrs)
	return addrs
}

// attr returns the expression of an argument of b, or nil.
func attr(b *hclsyntax.Block, name string) hclsyntax.Expression {
	if a, ok := b.Body.Attributes[name]; ok {
		return a.Expr
	}
	return nil
}

// nested returns the nested blocks of one type.
func nested(b *hclsyntax.Block, typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, nb := range b.Body.Blocks {
		if nb.Type == typ {
			out = append(out, nb)
		}
	}
	return out
}

// refs lists what an expression refers to, as "aws_instance.app.id", "var.x", … (indexes dropped).
func refs(expr hcl.Expression) []string {
	if expr == nil {
		return nil
	}
	var out []string
	for _, tr := range expr.Variables() {
		parts := []string{tr.RootName()}
		for _, step := range tr[1:] {
			if a, ok := step.(hcl.TraverseAttr); ok {
				parts = append(parts, a.Name)
			}
		}
		out = append(out, strings.Join(parts, "."))
	}
	sort.Strings(out)
	return out
}

// refersTo reports whether expr refers to target or to something inside it.
func refersTo(expr hcl.Expression, target string) bool {
	for _, r := range refs(expr) {
		if r == target || strings.HasPrefix(r, target+".") {
			return true
		}
	}
	return false
}

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

// placeholderTree builds, from the traversals of one expression, nested objects whose
// leaves are placeholders for values Terraform would only know after apply.
type placeholderTree map[string]*phNode

type phNode struct {
	path     string
	value    cty.Value
	children map[string]*phNode
}

func (pt placeholderTree) add(tr hcl.Traversal, fixtures map[string]cty.Value) {
	root := tr.RootName()
	n, ok := pt[root]
	if !ok {
		n = &phNode{path: root}
		pt[root] = n
	}
	attrs := 0
	for _, step := range tr[1:] {
		var key, seg string
		switch s := step.(type) {
		case hcl.TraverseAttr:
			key, seg = s.Name, "."+s.Name
			attrs++
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.String {
				key, seg = s.Key.AsString(), fmt.Sprintf("[%q]", s.Key.AsString())
			} else {
				bf := s.Key.AsBigFloat()
				key, seg = bf.Text('f', -1), "["+bf.Text('f', -1)+"]"
			}
		default:
			return
		}
		if n.children == nil {
			n.children = map[string]*phNode{}
		}
		c, ok := n.children[key]
		if !ok {
			c = &phNode{path: n.path + seg}
			n.children[key] = c
		}
		n = c
	}
	// resource.name.attr, data.type.name.attr and ephemeral.type.name.attr name a value.
	named := attrs >= 2 && root != "data" && root != "ephemeral" || attrs >= 3
	switch fv, ok := fixtures[n.path]; {
	case ok:
		n.value = fv
	case named:
		n.value = cty.StringVal("${" + n.path + "}")
	default:
		n.value = cty.DynamicVal
	}
}

func (pt placeholderTree) values() map[string]cty.Value {
	out := map[string]cty.Value{}
	for k, n := range pt {
		out[k] = n.cty()
	}
	return out
}

func (n *phNode) cty() cty.Value {
	if len(n.children) == 0 {
		if n.value == cty.NilVal {
			return cty.DynamicVal
		}
		return n.value
	}
	attrs := map[string]cty.Value{}
	for k, c := range n.children {
		attrs[k] = c.cty()
	}
	return cty.ObjectVal(attrs)
}

// functions are the Terraform built-ins the module uses in values the tests evaluate.
func (e *evaluator) functions() map[string]function.Function {
	strPred := func(f func(s, sub string) bool) function.Function {
		return function.New(&function.Spec{
			Params: []function.Parameter{{Name: "s", Type: cty.String}, {Name: "sub", Type: cty.String}},
			Type:   function.StaticReturnType(cty.Bool),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
			},
		})
	}
	return map[string]function.Function{
		"alltrue": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
			Type:   function.StaticReturnType(cty.Bool),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				for it := args[0].ElementIterator(); it.Next(); {
					if _, v := it.Element(); v.False() {
						return cty.False, nil
					}
				}
				return cty.True, nil
			},
		}),
		"can":         tryfunc.CanFunc,
		"coalesce":    stdlib.CoalesceFunc,
		"concat":      stdlib.ConcatFunc,
		"contains":    stdlib.ContainsFunc,
		"endswith":    strPred(strings.HasSuffix),
		"floor":       stdlib.FloorFunc,
		"join":        stdlib.JoinFunc,
		"jsonencode":  stdlib.JSONEncodeFunc,
		"keys":        stdlib.KeysFunc,
		"length":      stdlib.LengthFunc,
		"lookup":      stdlib.LookupFunc,
		"lower":       stdlib.LowerFunc,
		"merge":       stdlib.MergeFunc,
		"regex":       stdlib.RegexFunc,
		"slice":       stdlib.SliceFunc,
		"sort":        stdlib.SortFunc,
		"startswith":  strPred(strings.HasPrefix),
		"strcontains": strPred(strings.Contains),
		"templatefile": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType}},
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				return renderTemplate(args[0].AsString(), args[1])
			},
		}),
		"tolist":     stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset":      stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":   stdlib.MakeToFunc(cty.String),
		"trimprefix": stdlib.TrimPrefixFunc,
		"trimsuffix": stdlib.TrimSuffixFunc,
		"try":        tryfunc.TryFunc,
	}
}

// renderTemplate is Terraform's templatefile: the file's template syntax, the vars only.
func renderTemplate(path string, vars cty.Value) (cty.Value, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return cty.NilVal, err
	}
	expr, diags := hclsyntax.ParseTemplate(src, path, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	if !vars.IsWhollyKnown() {
		return cty.UnknownVal(cty.String), nil
	}
	v, diags := expr.Value(&hcl.EvalContext{Variables: vars.AsValueMap()})
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	return v, nil
}
