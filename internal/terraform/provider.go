package terraform

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// typed is what a provider's schema adds to a body's schema: the type of
// each attribute, which attributes the provider computes, and which nested
// blocks it may fill in when the configuration leaves them out (those that
// hold a computed attribute: an SDK's Optional+Computed blocks, which the
// schema's JSON does not mark).
type typed struct {
	types          map[string]cty.Type
	computed       map[string]cty.Type
	computedBlocks map[string]bool
	// written are the nested block types the configuration writes: the
	// others are left out of a resource's values, as before a schema.
	written map[string]bool
	// user: the schema is the user's own (--provider-schema): an argument
	// it does not know is an error, as in `terraform validate`; in a
	// built-in schema it may be a version difference, and a note.
	user bool
}

// providerSchema is the schema of a body from its provider's schema, with
// what the body holds that the provider's does not (meta-arguments, and
// arguments of another provider version) taken from the body as written.
// unknown lists the latter, as "name" or "block.name".
func providerSchema(block *tfjson.SchemaBlock, written *bodySchema, user bool) (bs *bodySchema, unknown []string) {
	bs = &bodySchema{schema: &hcl.BodySchema{}, blocks: map[string]*bodySchema{}, meta: map[string]bool{},
		typed: &typed{types: map[string]cty.Type{}, computed: map[string]cty.Type{}, computedBlocks: map[string]bool{}, written: map[string]bool{}, user: user}}
	for _, name := range slices.Sorted(maps.Keys(block.Attributes)) {
		a := block.Attributes[name]
		ty := a.AttributeType
		if a.AttributeNestedType != nil {
			ty = nestedType(a.AttributeNestedType)
		}
		if ty == cty.NilType {
			ty = cty.DynamicPseudoType
		}
		bs.schema.Attributes = append(bs.schema.Attributes, hcl.AttributeSchema{Name: name})
		bs.typed.types[name] = ty
		if a.Computed {
			bs.typed.computed[name] = ty
		}
	}
	for _, name := range slices.Sorted(maps.Keys(block.NestedBlocks)) {
		nb := block.NestedBlocks[name]
		var labels []string
		if nb.NestingMode == tfjson.SchemaNestingModeMap {
			labels = []string{"key"}
		}
		bs.schema.Blocks = append(bs.schema.Blocks, hcl.BlockHeaderSchema{Type: name, LabelNames: labels})
		inner := nb.Block
		if inner == nil {
			inner = &tfjson.SchemaBlock{}
		}
		var writtenChild *bodySchema
		if written != nil {
			writtenChild = written.blocks[name]
		}
		child, childUnknown := providerSchema(inner, writtenChild, user)
		bs.blocks[name] = child
		for _, u := range childUnknown {
			unknown = append(unknown, name+"."+u)
		}
		if holdsComputed(child) {
			bs.typed.computedBlocks[name] = true
		}
	}
	if written == nil {
		return bs, unknown
	}
	for _, h := range written.schema.Blocks {
		bs.typed.written[h.Type] = true
	}
	for _, a := range written.schema.Attributes {
		if _, ok := bs.typed.types[a.Name]; ok {
			continue
		}
		if _, isBlock := bs.blocks[a.Name]; isBlock {
			continue // JSON syntax: a block written as a property
		}
		bs.schema.Attributes = append(bs.schema.Attributes, a)
		if written.meta[a.Name] {
			bs.meta[a.Name] = true
		} else {
			unknown = append(unknown, a.Name)
		}
	}
	for _, h := range written.schema.Blocks {
		if _, ok := bs.blocks[h.Type]; ok {
			continue
		}
		bs.schema.Blocks = append(bs.schema.Blocks, h)
		bs.blocks[h.Type] = written.blocks[h.Type]
		if written.meta[h.Type] {
			bs.meta[h.Type] = true
		} else {
			unknown = append(unknown, h.Type)
		}
	}
	return bs, unknown
}

// nestedType is the type of a nested attribute (the plugin framework's
// nested_type), as Terraform builds it.
func nestedType(n *tfjson.SchemaNestedAttributeType) cty.Type {
	attrs := map[string]cty.Type{}
	for name, a := range n.Attributes {
		ty := a.AttributeType
		if a.AttributeNestedType != nil {
			ty = nestedType(a.AttributeNestedType)
		}
		if ty == cty.NilType {
			ty = cty.DynamicPseudoType
		}
		attrs[name] = ty
	}
	obj := cty.Object(attrs)
	switch n.NestingMode {
	case tfjson.SchemaNestingModeList:
		return cty.List(obj)
	case tfjson.SchemaNestingModeSet:
		return cty.Set(obj)
	case tfjson.SchemaNestingModeMap:
		return cty.Map(obj)
	}
	return obj
}

func holdsComputed(bs *bodySchema) bool {
	if len(bs.typed.computed) > 0 {
		return true
	}
	for _, c := range bs.blocks {
		if c.typed != nil && holdsComputed(c) {
			return true
		}
	}
	return false
}

// convertAttribute converts a configured value to its attribute's type, as
// Terraform does before the provider sees it ("true" -> true).
func (t *typed) convertAttribute(name string, v cty.Value, expr hcl.Expression) (cty.Value, hcl.Diagnostics) {
	ty, ok := t.types[name]
	if !ok {
		return v, nil
	}
	cv, err := convert.Convert(v, ty)
	if err == nil {
		return cv, nil
	}
	sev := hcl.DiagWarning
	if t.user {
		sev = hcl.DiagError
	}
	return v, hcl.Diagnostics{{Severity: sev, Summary: "Incorrect attribute value type",
		Detail: fmt.Sprintf("Inappropriate value for attribute %q: %s.", name, err), Subject: expr.Range().Ptr()}}
}

// withComputed is the value other blocks read from a resource: what the
// provider computes and the configuration leaves unset is unknown (id,
// self_link, a block such as control_plane_endpoints_config), marked with the
// address it stands for (self: the resource's, or its block's).
func withComputed(bs *bodySchema, obj cty.Value, self string) cty.Value {
	if bs.typed == nil || !obj.IsKnown() || obj.IsNull() || !obj.Type().IsObjectType() {
		return obj
	}
	m := obj.AsValueMap()
	if m == nil {
		m = map[string]cty.Value{}
	}
	for name, ty := range bs.typed.computed {
		if v, ok := m[name]; !ok || v.IsKnown() && v.IsNull() {
			m[name] = cty.UnknownVal(ty).Mark(refMark(self + "." + name))
		}
	}
	for name, child := range bs.blocks {
		if bs.meta[name] {
			continue
		}
		list, ok := m[name]
		if !ok || list.IsKnown() && !list.IsNull() && list.Type().IsTupleType() && list.LengthInt() == 0 {
			m[name] = cty.EmptyTupleVal
			if bs.typed.computedBlocks[name] {
				m[name] = cty.DynamicVal.Mark(refMark(self + "." + name))
			}
			continue
		}
		if !list.IsKnown() || list.IsNull() || !list.Type().IsTupleType() {
			continue
		}
		var elems []cty.Value
		i := 0
		for it := list.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			elems = append(elems, withComputed(child, e, fmt.Sprintf("%s.%s[%d]", self, name, i)))
		}
		m[name] = cty.TupleVal(elems)
	}
	return cty.ObjectVal(m)
}

// schemaNote is a warning about an argument a built-in schema does not know.
func schemaNote(b *hcl.Block, provider string, unknown []string) string {
	return fmt.Sprintf("%s:%d: %s.%s: the built-in schema of provider %q (the version the README names) has no %s: checked as written; give your providers' schemas with --provider-schema",
		b.DefRange.Filename, b.DefRange.Start.Line, b.Labels[0], b.Labels[1], provider, strings.Join(unknown, ", "))
}
