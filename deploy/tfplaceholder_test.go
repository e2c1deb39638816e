package deploy

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

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
