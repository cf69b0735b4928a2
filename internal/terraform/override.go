package terraform

import (
	"github.com/hashicorp/hcl/v2"
)

// mergedBody is a block of a primary file with a block of an override file
// merged in, with Terraform's override semantics: an attribute of the
// override replaces the base attribute of that name; if the override has
// nested blocks of a type (or dynamic blocks generating that type), they
// replace every base block of that type. Everything else is the base's.
type mergedBody struct {
	base, override hcl.Body
}

func (b mergedBody) Content(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	content, _, diags := b.PartialContent(schema)
	// A strict decode: anything neither side declares in the schema is an error,
	// which each side's own Content reports.
	if _, d := b.base.Content(relaxed(schema)); d.HasErrors() {
		diags = append(diags, d...)
	}
	if _, d := b.override.Content(relaxed(schema)); d.HasErrors() {
		diags = append(diags, d...)
	}
	return content, diags
}

func (b mergedBody) PartialContent(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	base, baseRemain, diags := b.base.PartialContent(relaxed(schema))
	over, overRemain, d := b.override.PartialContent(relaxed(schema))
	diags = append(diags, d...)
	content := &hcl.BodyContent{Attributes: hcl.Attributes{}, MissingItemRange: base.MissingItemRange}
	for name, a := range base.Attributes {
		content.Attributes[name] = a
	}
	for name, a := range over.Attributes {
		content.Attributes[name] = a
	}
	overridden := map[string]bool{}
	for _, blk := range over.Blocks {
		if blk.Type == "dynamic" && len(blk.Labels) > 0 {
			overridden[blk.Labels[0]] = true
			continue
		}
		overridden[blk.Type] = true
	}
	for _, blk := range base.Blocks {
		if overridden[blk.Type] || (blk.Type == "dynamic" && len(blk.Labels) > 0 && overridden[blk.Labels[0]]) {
			continue
		}
		content.Blocks = append(content.Blocks, blk)
	}
	content.Blocks = append(content.Blocks, over.Blocks...)
	for _, a := range schema.Attributes {
		if _, ok := content.Attributes[a.Name]; a.Required && !ok {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing required argument", Detail: "The argument \"" + a.Name + "\" is required, but no definition was found.", Subject: base.MissingItemRange.Ptr()})
		}
	}
	return content, mergedBody{base: baseRemain, override: overRemain}, diags
}

func (b mergedBody) JustAttributes() (hcl.Attributes, hcl.Diagnostics) {
	attrs, diags := b.base.JustAttributes()
	over, d := b.override.JustAttributes()
	diags = append(diags, d...)
	if attrs == nil {
		attrs = hcl.Attributes{}
	}
	for name, a := range over {
		attrs[name] = a
	}
	return attrs, diags
}

func (b mergedBody) MissingItemRange() hcl.Range { return b.base.MissingItemRange() }

// relaxed is schema with nothing required: each side of a merge may leave a
// required argument to the other.
func relaxed(schema *hcl.BodySchema) *hcl.BodySchema {
	out := &hcl.BodySchema{Blocks: schema.Blocks}
	for _, a := range schema.Attributes {
		a.Required = false
		out.Attributes = append(out.Attributes, a)
	}
	return out
}
