package rego

import (
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/acme/guard/internal/input"
)

// inputValue converts the input model into OPA's AST without the JSON
// round trip ast.InterfaceToValue does for structs: at 10,000 resources that
// round trip cost more than a second. The field names are the input model's
// JSON names; TestInputValue checks both conversions agree.
func inputValue(in *input.Input) (ast.Value, error) {
	resources := make([]any, len(in.Terraform.Resources))
	for i, r := range in.Terraform.Resources {
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
		resources[i] = m
	}
	objects := make([]any, len(in.Kubernetes.Objects))
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
		objects[i] = m
	}
	return ast.InterfaceToValue(map[string]any{
		"terraform":  map[string]any{"resources": resources, "by_type": positions(in.Terraform.ByType)},
		"kubernetes": map[string]any{"objects": objects, "by_kind": positions(in.Kubernetes.ByKind)},
	})
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
	return m
}
