package terraform

import (
	"encoding/json"
	"sort"

	"github.com/terraform-linters/tflint-plugin-sdk/terraform/lang/marks"
	"github.com/zclconf/go-cty/cty"
)

// refMark marks an unknown value with the resource attribute it stands for.
type refMark string

// attributeMaps turns an evaluated resource object into the maps of the input
// model, in the same shape a plan uses: values (known values, unknown ones left
// out), unknown (true where unknown), sensitive (true where marked), and
// references (at an unknown value, the resource attributes it comes from).
func attributeMaps(obj cty.Value) (values, unknown, sensitive, references map[string]any) {
	plain, pathMarks := obj.UnmarkDeepWithPaths()
	v, u := ctyToJSON(plain)
	values, _ = v.(map[string]any)
	if values == nil {
		values = map[string]any{}
	}
	unknown, _ = u.(map[string]any)
	if unknown == nil {
		unknown = map[string]any{}
	}
	sensitive = map[string]any{}
	references = map[string]any{}
	for _, pm := range pathMarks {
		var refs []string
		if _, ok := pm.Marks[marks.Sensitive]; ok {
			setAtPath(sensitive, pm.Path, true)
		}
		for m := range pm.Marks {
			switch mv := m.(type) {
			case refMark:
				refs = append(refs, string(mv))
			}
		}
		if len(refs) > 0 && !plain.IsNull() {
			sort.Strings(refs)
			list := make([]any, len(refs))
			for i, r := range refs {
				list[i] = r
			}
			setAtPath(references, pm.Path, list)
		}
	}
	return values, unknown, sensitive, references
}

// ctyToJSON converts a value to plain Go data and its unknown mirror: false
// when fully known, true when unknown, or a map/slice of mirrors (objects keep
// only keys holding unknowns, like Terraform's after_unknown).
func ctyToJSON(v cty.Value) (any, any) {
	if !v.IsKnown() {
		return nil, true
	}
	if v.IsNull() {
		return nil, false
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString(), false
	case ty == cty.Number:
		return json.Number(v.AsBigFloat().Text('f', -1)), false
	case ty == cty.Bool:
		return v.True(), false
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := []any{}
		mirror := []any{}
		hasUnknown := false
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			val, u := ctyToJSON(ev)
			out = append(out, val)
			mirror = append(mirror, u)
			if u != false {
				hasUnknown = true
			}
		}
		if !hasUnknown {
			return out, false
		}
		return out, mirror
	case ty.IsMapType() || ty.IsObjectType():
		out := map[string]any{}
		mirror := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			val, u := ctyToJSON(ev)
			if u != true && val != nil {
				out[k.AsString()] = val // a null attribute is unset: left out, as in plans
			}
			if u != false {
				mirror[k.AsString()] = u
			}
		}
		if len(mirror) == 0 {
			return out, false
		}
		return out, mirror
	}
	return nil, true // capsule or other types guard cannot represent
}

// setAtPath sets leaf at path inside m, building maps for attributes and map
// keys and lists for indexes (padded with false, as Terraform's mirrors are).
func setAtPath(m map[string]any, path cty.Path, leaf any) {
	if len(path) == 0 {
		return
	}
	if step, ok := path[0].(cty.GetAttrStep); ok {
		m[step.Name] = setPath(m[step.Name], path[1:], leaf)
	}
}

func setPath(cur any, path cty.Path, leaf any) any {
	if len(path) == 0 {
		return leaf
	}
	var key cty.Value
	switch step := path[0].(type) {
	case cty.GetAttrStep:
		key = cty.StringVal(step.Name)
	case cty.IndexStep:
		key = step.Key
	}
	switch key.Type() {
	case cty.String:
		m, _ := cur.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		m[key.AsString()] = setPath(m[key.AsString()], path[1:], leaf)
		return m
	case cty.Number:
		i, _ := key.AsBigFloat().Int64()
		l, _ := cur.([]any)
		for int64(len(l)) <= i {
			l = append(l, false)
		}
		l[i] = setPath(l[i], path[1:], leaf)
		return l
	}
	return leaf // a set element: mark the set as a whole
}
