package deploy

import (
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

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
