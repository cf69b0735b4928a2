package loader

import (
	"encoding/json"

	"github.com/zclconf/go-cty/cty"
)

// markSensitive is the cty mark carried by values of sensitive variables.
const markSensitive = "sensitive"

// attributeMaps turns an evaluated resource object into the three maps of the
// input model, in the same shape a plan uses: values (known values, unknown ones
// left out), unknown (true where unknown) and sensitive (true where marked).
func attributeMaps(obj cty.Value) (values, unknown, sensitive map[string]any) {
	plain, marks := obj.UnmarkDeepWithPaths()
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
	for _, pm := range marks {
		if _, ok := pm.Marks[markSensitive]; ok {
			setAtPath(sensitive, pm.Path)
		}
	}
	return values, unknown, sensitive
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
			if u != true {
				out[k.AsString()] = val
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

// setAtPath marks true at path inside m, creating maps for attribute and key
// steps; index steps into lists are collapsed onto the list attribute.
func setAtPath(m map[string]any, path cty.Path) {
	cur := m
	for i, step := range path {
		var key string
		switch s := step.(type) {
		case cty.GetAttrStep:
			key = s.Name
		case cty.IndexStep:
			if s.Key.Type() != cty.String {
				return // a list element: the enclosing attribute is already marked below
			}
			key = s.Key.AsString()
		}
		if i == len(path)-1 || isIndexNext(path[i+1:]) {
			cur[key] = true
			return
		}
		next, ok := cur[key].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[key] = next
		}
		cur = next
	}
}

func isIndexNext(rest cty.Path) bool {
	s, ok := rest[0].(cty.IndexStep)
	return ok && s.Key.Type() != cty.String
}
