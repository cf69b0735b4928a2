package rego

import (
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/acme/guard/internal/input"
)

// inputValue converts the input model into OPA's AST without the JSON
// round trip ast.InterfaceToValue does for structs: at 10,000 resources that
// round trip cost more than a second. The field names are the input model's
// JSON names; TestInputValue checks both conversions agree.
//
// Each Terraform resource's values (and their mirrors) are released from the
// Go input as soon as they are converted: the AST is then the only copy, and
// a large plan is held once, not twice (Rego is the only engine that reads
// Terraform values; restore puts back the few an exception needs). The
// resources' terms are returned beside the value, in the input's order.
func inputValue(in *input.Input) (ast.Value, []*ast.Term, error) {
	n := newInterner()
	resources := make([]*ast.Term, len(in.Terraform.Resources))
	for i := range in.Terraform.Resources {
		r := &in.Terraform.Resources[i]
		m := map[string]any{
			"id": r.ID, "address": r.Address, "mode": r.Mode, "type": r.Type, "name": r.Name,
			"module": r.Module, "config": r.Config, "stack": r.Stack, "action": r.Action,
			"values": r.Values, "unknown": r.Unknown, "sensitive": r.Sensitive, "references": r.References,
			"source": source(r.Source),
		}
		if r.Index != nil {
			m["index"] = r.Index
		}
		if r.Provider != "" {
			m["provider"] = r.Provider
		}
		t, err := n.term(m)
		if err != nil {
			return nil, nil, err
		}
		resources[i] = t
		r.Values, r.Unknown, r.Sensitive, r.References = nil, nil, nil, nil
	}
	objects := make([]*ast.Term, len(in.Kubernetes.Objects))
	for i, o := range in.Kubernetes.Objects {
		m := map[string]any{"id": o.ID, "object": o.Object, "source": source(o.Source)}
		if rel := o.Release; rel != nil {
			rm := map[string]any{"name": rel.Name, "namespace": rel.Namespace, "chart": rel.Chart}
			for k, v := range map[string]string{"region": rel.Region, "resource": rel.Resource, "stack": rel.Stack} {
				if v != "" {
					rm[k] = v
				}
			}
			m["release"] = rm
		}
		t, err := n.term(m)
		if err != nil {
			return nil, nil, err
		}
		objects[i] = t
	}
	byType, err := ast.InterfaceToValue(positions(in.Terraform.ByType))
	if err != nil {
		return nil, nil, err
	}
	byKind, err := ast.InterfaceToValue(positions(in.Kubernetes.ByKind))
	if err != nil {
		return nil, nil, err
	}
	field := func(name string, v *ast.Term) [2]*ast.Term { return [2]*ast.Term{ast.StringTerm(name), v} }
	return ast.NewObject(
		field("terraform", ast.ObjectTerm(field("resources", ast.ArrayTerm(resources...)), field("by_type", ast.NewTerm(byType)))),
		field("kubernetes", ast.ObjectTerm(field("objects", ast.ArrayTerm(objects...)), field("by_kind", ast.NewTerm(byKind)))),
	), resources, nil
}

// restore puts a resource's values (and their mirrors) back into the Go
// input from its term in OPA's input, after inputValue handed them over.
func restore(r *input.Resource, t *ast.Term) error {
	v, err := ast.JSON(t.Value)
	if err != nil {
		return err
	}
	m, _ := v.(map[string]any)
	r.Values, _ = m["values"].(map[string]any)
	r.Unknown, _ = m["unknown"].(map[string]any)
	r.Sensitive, _ = m["sensitive"].(map[string]any)
	r.References, _ = m["references"].(map[string]any)
	return nil
}

// positions is an index of the input as InterfaceToValue takes it (a nil
// index, from an input not finalized, is an empty object).
func positions(index map[string][]int) map[string]any {
	m := make(map[string]any, len(index))
	for k, list := range index {
		vals := make([]any, len(list))
		for i, p := range list {
			vals[i] = p
		}
		m[k] = vals
	}
	return m
}

func source(s input.Source) map[string]any {
	m := map[string]any{"file": s.File}
	if s.Line != 0 {
		m["line"] = s.Line
	}
	if len(s.Via) > 0 {
		via := make([]any, len(s.Via))
		for i, c := range s.Via {
			via[i] = map[string]any{"file": c.File, "line": c.Line, "module": c.Module}
		}
		m["via"] = via
	}
	return m
}
