package deploy

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
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
