package loader

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/acme/guard/internal/input"
)

// maxPasses bounds the fixpoint evaluation. Each pass sees the resource values
// and module outputs of the pass before, so a chain of N references settles
// after N+1 passes; real stacks settle in a handful.
const maxPasses = 32

// hclStack evaluates one Terraform root module (and its module calls) into
// resources, without providers: configured values are known, every value a
// provider computes (ids, self links, another resource's unset attribute) is unknown.
type hclStack struct {
	cache    *configCache
	rootDir  string
	stack    string
	rootVars map[string]rootValue

	prev, next *evalState
	out        []input.Resource
	diags      hcl.Diagnostics
	funcs      map[string]map[string]function.Function
	refNames   map[*moduleConfig]map[string]bool
}

// rootValue is a value given for a root variable: already a value (tfvars), or
// the raw string of --var, parsed once the variable's type is known.
type rootValue struct {
	val cty.Value
	raw *string
}

// evalState is what one pass learned: per module instance, the value of each
// resource ("type.name", "data.type.name") and of each module call.
type evalState struct {
	resources map[string]map[string]cty.Value
	calls     map[string]map[string]cty.Value
	outputs   map[string]cty.Value
}

func newEvalState() *evalState {
	return &evalState{resources: map[string]map[string]cty.Value{}, calls: map[string]map[string]cty.Value{}, outputs: map[string]cty.Value{}}
}

func (s *evalState) equal(o *evalState) bool {
	eq := func(a, b map[string]map[string]cty.Value) bool {
		if len(a) != len(b) {
			return false
		}
		for k, m := range a {
			n := b[k]
			if len(m) != len(n) {
				return false
			}
			for name, v := range m {
				w, ok := n[name]
				if !ok || !v.RawEquals(w) {
					return false
				}
			}
		}
		return true
	}
	return eq(s.resources, o.resources) && eq(s.calls, o.calls)
}

func (s *evalState) set(m map[string]map[string]cty.Value, module, key string, v cty.Value) {
	if m[module] == nil {
		m[module] = map[string]cty.Value{}
	}
	m[module][key] = v
}

// evaluate runs passes until the state stops changing, and returns the
// resources of the last pass, or the errors that pass found.
func (s *hclStack) evaluate() ([]input.Resource, error) {
	root, err := s.cache.load(s.rootDir)
	if err != nil {
		return nil, err
	}
	s.prev = newEvalState()
	for pass := 0; pass < maxPasses; pass++ {
		s.next, s.out, s.diags = newEvalState(), nil, nil
		s.evalModule("", nil, root, nil)
		if s.next.equal(s.prev) {
			break
		}
		s.prev = s.next
	}
	if err := diagError(s.diags); err != nil {
		return nil, err
	}
	return s.out, nil
}

// evalModule evaluates one module instance. args are the module call's
// arguments (nil at the root, which reads rootVars instead).
func (s *hclStack) evalModule(addr string, keyPath []string, cfg *moduleConfig, args map[string]cty.Value) {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: s.functions(cfg.dir)}
	vars := map[string]cty.Value{}
	for _, vb := range cfg.variables {
		vars[vb.Labels[0]] = s.variableValue(vb, args, keyPath == nil)
	}
	modulePath, _ := filepath.Rel(s.rootDir, cfg.dir)
	ctx.Variables["var"] = cty.ObjectVal(vars)
	ctx.Variables["path"] = cty.ObjectVal(map[string]cty.Value{
		"module": cty.StringVal(filepath.ToSlash(modulePath)), "root": cty.StringVal("."), "cwd": cty.StringVal("."),
	})
	ctx.Variables["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})
	s.bindState(ctx, addr, s.prev)
	s.evalLocals(ctx, cfg)

	for _, b := range cfg.resources {
		s.evalResource(ctx, addr, cfg, b)
	}
	for _, b := range cfg.modules {
		s.evalModuleCall(ctx, addr, keyPath, cfg, b)
	}

	s.bindState(ctx, addr, s.next)
	outputs := map[string]cty.Value{}
	for _, ob := range cfg.outputs {
		if a, ok := ob.Body.Attributes["value"]; ok {
			v, d := a.Expr.Value(ctx)
			s.diags = append(s.diags, d...)
			outputs[ob.Labels[0]] = v
		}
	}
	s.next.outputs[addr] = cty.ObjectVal(outputs)
}

// bindState exposes resource values and module outputs of a state to expressions.
func (s *hclStack) bindState(ctx *hcl.EvalContext, addr string, st *evalState) {
	types := map[string]map[string]cty.Value{}
	data := map[string]map[string]cty.Value{}
	for key, v := range st.resources[addr] {
		parts := strings.Split(key, ".")
		target := types
		if parts[0] == "data" {
			target, parts = data, parts[1:]
		}
		if target[parts[0]] == nil {
			target[parts[0]] = map[string]cty.Value{}
		}
		target[parts[0]][parts[1]] = v
	}
	for t, m := range types {
		ctx.Variables[t] = cty.ObjectVal(m)
	}
	dataObj := map[string]cty.Value{}
	for t, m := range data {
		dataObj[t] = cty.ObjectVal(m)
	}
	ctx.Variables["data"] = cty.ObjectVal(dataObj)
	ctx.Variables["module"] = cty.ObjectVal(st.calls[addr])
}

// evalLocals evaluates locals in dependency order.
func (s *hclStack) evalLocals(ctx *hcl.EvalContext, cfg *moduleConfig) {
	byName := map[string]*hclsyntax.Attribute{}
	for _, a := range cfg.locals {
		byName[a.Name] = a
	}
	values := map[string]cty.Value{}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(a *hclsyntax.Attribute)
	visit = func(a *hclsyntax.Attribute) {
		switch state[a.Name] {
		case 1:
			s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("local.%s refers to itself", a.Name), Subject: a.SrcRange.Ptr()})
			return
		case 2:
			return
		}
		state[a.Name] = 1
		for _, tr := range a.Expr.Variables() {
			if tr.RootName() != "local" || len(tr) < 2 {
				continue
			}
			if step, ok := tr[1].(hcl.TraverseAttr); ok && byName[step.Name] != nil {
				visit(byName[step.Name])
			}
		}
		ctx.Variables["local"] = cty.ObjectVal(values)
		v, d := a.Expr.Value(ctx)
		s.diags = append(s.diags, d...)
		values[a.Name] = v
		state[a.Name] = 2
	}
	for _, a := range cfg.locals {
		visit(a)
	}
	ctx.Variables["local"] = cty.ObjectVal(values)
}

// variableValue is a variable's value: given, else its default, converted to
// its type. A root variable nobody set is unknown, as it would be to a policy
// that cannot see the value CI will pass.
func (s *hclStack) variableValue(vb *hclsyntax.Block, args map[string]cty.Value, isRoot bool) cty.Value {
	name := vb.Labels[0]
	attrs := vb.Body.Attributes
	ty := cty.DynamicPseudoType
	var defaults *typeexpr.Defaults
	if a, ok := attrs["type"]; ok {
		var d hcl.Diagnostics
		ty, defaults, d = typeexpr.TypeConstraintWithDefaults(a.Expr)
		s.diags = append(s.diags, d...)
	}
	val, given := cty.NilVal, false
	if isRoot {
		if rv, ok := s.rootVars[name]; ok {
			given, val = true, rv.val
			if rv.raw != nil {
				val = parseRawVar(*rv.raw, ty)
			}
		}
	} else if v, ok := args[name]; ok {
		given, val = true, v
	}
	if !given || val.IsNull() {
		if a, ok := attrs["default"]; ok {
			def, d := a.Expr.Value(nil)
			s.diags = append(s.diags, d...)
			val = def
		} else if !given {
			if !isRoot {
				s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("missing required argument %q for this module", name), Subject: vb.DefRange().Ptr()})
			}
			val = cty.UnknownVal(ty)
		}
	}
	if defaults != nil && val.IsKnown() {
		val = defaults.Apply(val)
	}
	conv, err := convert.Convert(val, ty)
	if err != nil {
		s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("invalid value for variable %q: %s", name, err), Subject: vb.DefRange().Ptr()})
		conv = cty.UnknownVal(ty)
	}
	if a, ok := attrs["sensitive"]; ok {
		if v, _ := a.Expr.Value(nil); v.Type() == cty.Bool && v.IsKnown() && v.True() {
			conv = conv.Mark(markSensitive)
		}
	}
	return conv
}

// parseRawVar reads a --var value as Terraform does: literally for a string,
// number or bool variable, as an HCL expression otherwise.
func parseRawVar(raw string, ty cty.Type) cty.Value {
	if ty.IsPrimitiveType() {
		return cty.StringVal(raw)
	}
	expr, d := hclsyntax.ParseExpression([]byte(raw), "<--var>", hcl.Pos{Line: 1, Column: 1})
	if d.HasErrors() {
		return cty.StringVal(raw)
	}
	v, d := expr.Value(nil)
	if d.HasErrors() {
		return cty.StringVal(raw)
	}
	return v
}

// instance is one expansion of a block with count or for_each.
type instance struct {
	index  any // nil, int (count) or string (for_each key)
	suffix string
	ctx    *hcl.EvalContext
}

// expansion is how a block's instances combine into the value others refer to.
type expansion int

const (
	single expansion = iota
	counted
	forEach
)

// expand evaluates count or for_each into instances, each with its own
// count.index or each.key/each.value. ok is false when the expansion is not
// known, in which case the block contributes an unknown value and no instance.
func (s *hclStack) expand(ctx *hcl.EvalContext, body *hclsyntax.Body) (insts []instance, mode expansion, ok bool) {
	if a, has := body.Attributes["count"]; has {
		v, d := a.Expr.Value(ctx)
		s.diags = append(s.diags, d...)
		if d.HasErrors() {
			return nil, counted, false
		}
		v, _ = v.Unmark()
		if !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
			s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid count argument", Detail: "count must be a number known before apply", Subject: a.Expr.Range().Ptr()})
			return nil, counted, false
		}
		n, _ := v.AsBigFloat().Int64()
		for i := int64(0); i < n; i++ {
			c := ctx.NewChild()
			c.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(i)})}
			insts = append(insts, instance{index: int(i), suffix: fmt.Sprintf("[%d]", i), ctx: c})
		}
		return insts, counted, true
	}
	if a, has := body.Attributes["for_each"]; has {
		v, d := a.Expr.Value(ctx)
		s.diags = append(s.diags, d...)
		if d.HasErrors() {
			return nil, forEach, false
		}
		v, _ = v.Unmark()
		if !v.IsWhollyKnown() || v.IsNull() || !(v.CanIterateElements() && (v.Type().IsMapType() || v.Type().IsObjectType() || v.Type().IsSetType())) {
			s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each argument", Detail: "for_each must be a map or a set of strings known before apply", Subject: a.Expr.Range().Ptr()})
			return nil, forEach, false
		}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			if v.Type().IsSetType() {
				k = ev
			}
			if k.Type() != cty.String {
				s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each argument", Detail: "a set used in for_each must hold strings", Subject: a.Expr.Range().Ptr()})
				return nil, forEach, false
			}
			c := ctx.NewChild()
			c.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": ev})}
			key := k.AsString()
			insts = append(insts, instance{index: key, suffix: "[" + strconv.Quote(key) + "]", ctx: c})
		}
		return insts, forEach, true
	}
	return []instance{{ctx: ctx}}, single, true
}

// combine builds the value of a whole block from its instances' values.
func combine(mode expansion, insts []instance, vals []cty.Value) cty.Value {
	switch mode {
	case counted:
		if len(vals) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(vals)
	case forEach:
		m := map[string]cty.Value{}
		for i, in := range insts {
			m[in.index.(string)] = vals[i]
		}
		return cty.ObjectVal(m)
	}
	return vals[0]
}

var (
	resourceMetaAttrs = map[string]bool{"count": true, "for_each": true, "provider": true, "depends_on": true}
	resourceMetaBlock = map[string]bool{"lifecycle": true, "provisioner": true, "connection": true}
	moduleMetaAttrs   = map[string]bool{"source": true, "version": true, "count": true, "for_each": true, "providers": true, "depends_on": true}
)

func (s *hclStack) evalResource(ctx *hcl.EvalContext, addr string, cfg *moduleConfig, b *hclsyntax.Block) {
	typ, name := b.Labels[0], b.Labels[1]
	key := typ + "." + name
	if b.Type == "data" {
		key = "data." + key
	}
	insts, mode, ok := s.expand(ctx, b.Body)
	if !ok {
		s.next.set(s.next.resources, addr, key, cty.DynamicVal)
		return
	}
	schema := schemaOf(b.Body, resourceMetaAttrs, resourceMetaBlock)
	provider := providerKey(b, typ)
	var vals []cty.Value
	for _, in := range insts {
		obj, d := evalContent(dynblock.Expand(b.Body, in.ctx), schema, in.ctx)
		s.diags = append(s.diags, d...)
		vals = append(vals, s.withUnknownRefs(cfg, schema, joinAddr(addr, key+in.suffix), obj))
		if b.Type != "resource" {
			continue
		}
		values, unknown, sensitive, refs := attributeMaps(obj)
		full := key + in.suffix
		if addr != "" {
			full = addr + "." + full
		}
		s.out = append(s.out, input.Resource{
			Address: full, Mode: "managed", Type: typ, Name: name, Index: in.index, Module: addr,
			Config:   configAddress(addr, "managed", typ, name),
			Provider: provider, Stack: s.stack, Action: "config",
			Values: values, Unknown: unknown, Sensitive: sensitive, References: refs,
			Source: input.Source{File: b.TypeRange.Filename, Line: b.TypeRange.Start.Line},
		})
	}
	s.next.set(s.next.resources, addr, key, combine(mode, insts, vals))
}

// providerKey is the provider configuration a resource uses: its provider
// argument ("helm.primary") or the default one named by its type's prefix.
func providerKey(b *hclsyntax.Block, typ string) string {
	if a, ok := b.Body.Attributes["provider"]; ok {
		if tr, d := hcl.AbsTraversalForExpr(a.Expr); !d.HasErrors() {
			parts := []string{tr.RootName()}
			for _, step := range tr[1:] {
				if at, ok := step.(hcl.TraverseAttr); ok {
					parts = append(parts, at.Name)
				}
			}
			return strings.Join(parts, ".")
		}
	}
	return strings.SplitN(typ, "_", 2)[0]
}

// withUnknownRefs adds every attribute name the module refers to anywhere, and
// the resource (or one of its nested blocks) does not configure, as unknown: a
// provider computes those. Each such unknown is marked with the address it
// stands for, so a policy can still tell what an unknown value refers to
// ("google_service_account.x.email").
func (s *hclStack) withUnknownRefs(cfg *moduleConfig, bs *bodySchema, self string, obj cty.Value) cty.Value {
	if !obj.IsKnown() || obj.IsNull() || !obj.Type().IsObjectType() {
		return obj
	}
	m := obj.AsValueMap()
	if m == nil {
		m = map[string]cty.Value{}
	}
	for typ, nested := range bs.blocks {
		list, ok := m[typ]
		if !ok || !list.IsKnown() || list.IsNull() || !list.Type().IsTupleType() {
			continue
		}
		var elems []cty.Value
		i := 0
		for it := list.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			elems = append(elems, s.withUnknownRefs(cfg, nested, fmt.Sprintf("%s.%s[%d]", self, typ, i), e))
		}
		if len(elems) > 0 {
			m[typ] = cty.TupleVal(elems)
		}
	}
	for n := range s.referencedNames(cfg) {
		if _, ok := m[n]; !ok {
			m[n] = cty.DynamicVal.Mark(refMark(self + "." + n))
		}
	}
	return cty.ObjectVal(m)
}

func (s *hclStack) referencedNames(cfg *moduleConfig) map[string]bool {
	if names, ok := s.refNames[cfg]; ok {
		return names
	}
	names := map[string]bool{}
	collect := func(tr hcl.Traversal) {
		for _, step := range tr {
			if at, ok := step.(hcl.TraverseAttr); ok {
				names[at.Name] = true
			}
		}
	}
	visit := func(n hclsyntax.Node) hcl.Diagnostics {
		switch e := n.(type) {
		case *hclsyntax.ScopeTraversalExpr:
			collect(e.Traversal)
		case *hclsyntax.RelativeTraversalExpr:
			collect(e.Traversal)
		}
		return nil
	}
	var blocks []*hclsyntax.Block
	blocks = append(blocks, cfg.resources...)
	blocks = append(blocks, cfg.modules...)
	blocks = append(blocks, cfg.outputs...)
	for _, b := range blocks {
		hclsyntax.VisitAll(b.Body, visit)
	}
	for _, a := range cfg.locals {
		hclsyntax.VisitAll(a.Expr, visit)
	}
	s.refNames[cfg] = names
	return names
}

func (s *hclStack) evalModuleCall(ctx *hcl.EvalContext, addr string, keyPath []string, cfg *moduleConfig, b *hclsyntax.Block) {
	name := b.Labels[0]
	srcAttr, ok := b.Body.Attributes["source"]
	if !ok {
		s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("module %q has no source", name), Subject: b.DefRange().Ptr()})
		return
	}
	srcVal, d := srcAttr.Expr.Value(nil)
	if d.HasErrors() || srcVal.Type() != cty.String {
		s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("module %q: source must be a literal string", name), Subject: srcAttr.SrcRange.Ptr()})
		return
	}
	childKey := append(append([]string{}, keyPath...), name)
	dir, err := moduleSourceDir(s.rootDir, cfg.dir, strings.Join(childKey, "."), srcVal.AsString())
	if err != nil {
		s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("module %q: %s", name, err), Subject: srcAttr.SrcRange.Ptr()})
		return
	}
	child, err := s.cache.load(dir)
	if err != nil {
		s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fmt.Sprintf("module %q: %s", name, err), Subject: srcAttr.SrcRange.Ptr()})
		return
	}
	insts, mode, ok := s.expand(ctx, b.Body)
	if !ok {
		s.next.set(s.next.calls, addr, name, cty.DynamicVal)
		return
	}
	var vals []cty.Value
	for _, in := range insts {
		args := map[string]cty.Value{}
		for _, a := range sortedAttributes(b.Body.Attributes) {
			if moduleMetaAttrs[a.Name] {
				continue
			}
			v, d := a.Expr.Value(in.ctx)
			s.diags = append(s.diags, d...)
			args[a.Name] = v
		}
		childAddr := "module." + name + in.suffix
		if addr != "" {
			childAddr = addr + "." + childAddr
		}
		s.evalModule(childAddr, childKey, child, args)
		vals = append(vals, s.next.outputs[childAddr])
	}
	s.next.set(s.next.calls, addr, name, combine(mode, insts, vals))
}

func (s *hclStack) functions(dir string) map[string]function.Function {
	if f, ok := s.funcs[dir]; ok {
		return f
	}
	f := terraformFunctions(dir)
	s.funcs[dir] = f
	return f
}

// bodySchema is the schema of a block body as written, so that any resource
// type can be decoded without its provider's schema.
type bodySchema struct {
	schema *hcl.BodySchema
	blocks map[string]*bodySchema
	meta   map[string]bool // meta-arguments: in the schema, left out of the value
}

// schemaOf derives a body's schema from its syntax: every attribute, every
// nested block type, and the block types that `dynamic` blocks generate (from
// their content). Blocks of one type are merged, so any instance may differ.
func schemaOf(body *hclsyntax.Body, skipAttrs, skipBlocks map[string]bool) *bodySchema {
	bs := &bodySchema{schema: &hcl.BodySchema{}, blocks: map[string]*bodySchema{}, meta: map[string]bool{}}
	for _, a := range sortedAttributes(body.Attributes) {
		bs.schema.Attributes = append(bs.schema.Attributes, hcl.AttributeSchema{Name: a.Name})
		if skipAttrs[a.Name] {
			bs.meta[a.Name] = true
		}
	}
	merged := map[string]*hclsyntax.Body{}
	labels := map[string]int{}
	var order []string
	add := func(typ string, b *hclsyntax.Body, nLabels int) {
		m, ok := merged[typ]
		if !ok {
			m = &hclsyntax.Body{Attributes: hclsyntax.Attributes{}}
			merged[typ] = m
			order = append(order, typ)
		}
		for n, a := range b.Attributes {
			m.Attributes[n] = a
		}
		m.Blocks = append(m.Blocks, b.Blocks...)
		if nLabels > labels[typ] {
			labels[typ] = nLabels
		}
	}
	for _, b := range body.Blocks {
		if skipBlocks[b.Type] {
			bs.meta[b.Type] = true
		}
		if b.Type == "dynamic" && len(b.Labels) == 1 {
			for _, c := range b.Body.Blocks {
				if c.Type == "content" {
					add(b.Labels[0], c.Body, 0)
				}
			}
			continue
		}
		add(b.Type, b.Body, len(b.Labels))
	}
	sort.Strings(order)
	for _, typ := range order {
		names := make([]string, labels[typ])
		for i := range names {
			names[i] = fmt.Sprintf("label%d", i)
		}
		bs.schema.Blocks = append(bs.schema.Blocks, hcl.BlockHeaderSchema{Type: typ, LabelNames: names})
		bs.blocks[typ] = schemaOf(merged[typ], nil, nil)
	}
	return bs
}

// evalContent evaluates a (dynblock-expanded) body into an object: attributes
// as values, nested blocks as lists of objects, as Terraform's JSON shows them.
func evalContent(body hcl.Body, bs *bodySchema, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	content, diags := body.Content(bs.schema)
	attrs := map[string]cty.Value{}
	for name, a := range content.Attributes {
		if bs.meta[name] {
			continue
		}
		v, d := a.Expr.Value(ctx)
		diags = append(diags, d...)
		attrs[name] = v
	}
	grouped := map[string][]cty.Value{}
	for _, blk := range content.Blocks {
		if bs.meta[blk.Type] {
			continue
		}
		v, d := evalContent(blk.Body, bs.blocks[blk.Type], ctx)
		diags = append(diags, d...)
		grouped[blk.Type] = append(grouped[blk.Type], v)
	}
	for typ := range bs.blocks {
		if bs.meta[typ] {
			continue
		}
		if vals := grouped[typ]; len(vals) > 0 {
			attrs[typ] = cty.TupleVal(vals)
		} else {
			attrs[typ] = cty.EmptyTupleVal
		}
	}
	return cty.ObjectVal(attrs), diags
}
