package terraform

import (
	"fmt"
	"maps"
	"math/big"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/terraform-linters/tflint-plugin-sdk/terraform/lang/marks"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
)

// maxPasses bounds the fixpoint evaluation. Each pass sees the resource values
// and module outputs of the pass before, so a chain of N references settles
// after N+1 passes; real stacks settle in a handful.
const maxPasses = 32

// RootValue is a value given for a root variable: already a value (tfvars), or
// the raw string of --var, parsed once the variable's type is known.
type RootValue struct {
	val cty.Value
	raw *string
}

// stack evaluates one Terraform root module (and its module calls) into
// resources, without providers: configured values are known, every value a
// provider computes (ids, self links, another resource's unset attribute) is unknown.
type stack struct {
	configs  *Configs
	rootDir  string
	name     string
	rootVars map[string]RootValue
	funcs    map[string]function.Function

	prev, next *evalState
	out        []input.Resource
	diags      hcl.Diagnostics
	instances  int // resource and module instances expanded in this pass
	refNames   map[*Module]map[string]bool
	// unset are the root variables nobody set that a value was needed from
	// (true: it has no default; false: its null default was used where a
	// value is needed), each named once in a note.
	unset map[string]bool
	// every are notes on the blocks whose count or for_each is known only
	// after apply, checked once for all their instances.
	every []string
	// schemaNotes name arguments a built-in provider schema does not know.
	schemaNotes []string
	// via are, per module instance, the module calls that lead to it.
	via map[string][]input.Call
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

// Evaluate evaluates the root module in dir into resources: variables from
// vars (see RootVariables), locals, count and for_each, dynamic blocks and
// module calls. What only apply or the caller can know is unknown, never an
// error: a root variable nobody set, a count or for_each over unknowns. The
// notes name the root variables that were needed but not set. A
// configuration Terraform would refuse is an *Error.
func (c *Configs) Evaluate(dir string, vars map[string]RootValue) ([]input.Resource, []string, error) {
	abs, _ := filepath.Abs(dir)
	root, err := c.Module(abs)
	if err != nil {
		return nil, nil, err
	}
	s := &stack{
		configs: c, rootDir: abs, name: filepath.Base(abs), rootVars: vars,
		// Terraform resolves relative paths in file functions against the
		// directory it runs in: the root module's.
		funcs:    Functions(abs, c.limits, c.Read),
		refNames: map[*Module]map[string]bool{},
		via:      map[string][]input.Call{},
	}
	s.prev = newEvalState()
	for pass := 0; pass < maxPasses; pass++ {
		s.next, s.out, s.diags, s.instances, s.unset, s.every, s.schemaNotes = newEvalState(), nil, nil, 0, map[string]bool{}, nil, nil
		s.evalModule("", []string{abs}, nil, root, nil)
		if s.next.equal(s.prev) {
			break
		}
		s.prev = s.next
	}
	if err := diagError(s.diags); err != nil {
		if !onlyMissingModules(s.diags) {
			return nil, nil, err
		}
		// The rest of the configuration is checked, and the error reported.
		return s.out, s.notes(root), err
	}
	return s.out, s.notes(root), nil
}

// onlyMissingModules says whether every error is a module call whose
// module is not installed: what the configuration declares itself can
// still be checked.
func onlyMissingModules(diags hcl.Diagnostics) bool {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Summary != missingModule {
			return false
		}
	}
	return true
}

// missingModule is the summary of a module call `terraform init` has not installed.
const missingModule = "Module not installed"

// notes are what the user should know of an evaluation: root variables that
// were needed but not set, blocks checked once for all their instances,
// arguments a built-in schema does not know.
func (s *stack) notes(root *Module) []string {
	for _, d := range s.diags {
		if d.Severity == hcl.DiagWarning && d.Summary == unsetSummary {
			s.needUnset(d.Detail)
		}
	}
	notes := append(append(s.unsetNotes(root), s.every...), s.schemaNotes...)
	for _, d := range s.diags {
		if d.Severity == hcl.DiagWarning && d.Summary != unsetSummary && d.Subject != nil {
			notes = append(notes, fmt.Sprintf("%s:%d: %s: %s (built-in provider schema; checked as written)", d.Subject.Filename, d.Subject.Start.Line, d.Summary, diag.OneLine(d.Detail)))
		}
	}
	return notes
}

// unsetMark marks the value of a root variable nobody set: its null default,
// or unknown when it has none. Marks travel with every value computed from
// it, so an error it causes can be told from one Terraform would report
// whatever the variable's value.
type unsetMark string

// unsetIn lists the unset root variables a value was computed from.
func unsetIn(v cty.Value) []string {
	var names []string
	_, pms := v.UnmarkDeepWithPaths()
	for _, pm := range pms {
		for m := range pm.Marks {
			if u, ok := m.(unsetMark); ok {
				names = append(names, string(u))
			}
		}
	}
	return names
}

// evalExpr evaluates an expression. Where every error it meets comes from
// an unset root variable (a null default interpolated, passed to a function,
// used as a for_each), the value is unknown instead, as it would be to
// `terraform validate`: with a value set the error may not happen. A warning
// names each such variable, for the note.
func evalExpr(e hcl.Expression, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	v, diags := e.Value(ctx)
	if !diags.HasErrors() {
		return v, diags
	}
	var names []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		causes := unsetCauses(d)
		if len(causes) == 0 {
			return v, diags // an error whatever the variables' values
		}
		names = append(names, causes...)
	}
	marks := cty.ValueMarks{}
	var notes hcl.Diagnostics
	for _, n := range names {
		marks[unsetMark(n)] = struct{}{}
		notes = append(notes, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: unsetSummary, Detail: n})
	}
	return cty.DynamicVal.WithMarks(marks), notes
}

// unsetSummary is the summary of evalExpr's warnings.
const unsetSummary = "unset root variable"

// valueErrors are the errors of HCL's evaluator that a value can cause (a
// null, a wrong type, a missing key); the others (an unknown function, the
// wrong number of arguments) are errors whatever the values.
var valueErrors = map[string]bool{
	"Invalid template interpolation value": true, "Invalid function argument": true, "Error in function call": true,
	"Attempt to get attribute from null value": true, "Attempt to index null value": true, "Iteration over null value": true,
	"Splat of null value": true, "Null condition": true, "Condition is null": true, "Null value as key": true,
	"Invalid operand": true, "Operation failed": true, "Invalid expanding argument value": true, "Incorrect condition type": true,
	"Invalid index": true, "Unsupported attribute": true, "Iteration over non-iterable value": true, "Missing map element": true,
	"Invalid 'for' condition": true, "Incorrect key type": true, "Invalid object key": true,
}

// unsetCauses are the unset root variables that the expression of an error
// a value can cause reads.
func unsetCauses(d *hcl.Diagnostic) []string {
	if d.Expression == nil || d.EvalContext == nil || !valueErrors[d.Summary] {
		return nil
	}
	var names []string
	for _, tr := range d.Expression.Variables() {
		if tv, diags := tr.TraverseAbs(d.EvalContext); !diags.HasErrors() {
			names = append(names, unsetIn(tv)...)
		}
	}
	return names
}

// needUnset records that a value was needed from an unset root variable.
func (s *stack) needUnset(name string) {
	if _, ok := s.unset[name]; !ok {
		s.unset[name] = false
	}
}

// unsetNotes name, once each, the root variables nobody set that values
// were needed from, and what to do.
func (s *stack) unsetNotes(root *Module) []string {
	var notes []string
	for _, vb := range root.Variables {
		name := vb.Labels[0]
		noDefault, ok := s.unset[name]
		if !ok {
			continue
		}
		why := "its default is null where a value is needed"
		if noDefault {
			why = "it has no default"
		}
		notes = append(notes, fmt.Sprintf("%s:%d: var.%s is not set and %s: what depends on it is unknown (known only to the caller); set it with --var %s=... or --var-file",
			vb.DefRange.Filename, vb.DefRange.Start.Line, name, why, name))
	}
	return notes
}

// evalModule evaluates one module instance. chain holds the directories of
// the module calls that led here (for cycles); keyPath their names. args are
// the module call's arguments (nil at the root, which reads rootVars instead).
func (s *stack) evalModule(addr string, chain, keyPath []string, cfg *Module, args map[string]cty.Value) {
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: s.funcs}
	modulePath, _ := filepath.Rel(s.rootDir, cfg.Dir)
	ctx.Variables["path"] = cty.ObjectVal(map[string]cty.Value{
		"module": cty.StringVal(filepath.ToSlash(modulePath)), "root": cty.StringVal("."), "cwd": cty.StringVal("."),
	})
	ctx.Variables["terraform"] = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")})
	s.evalVariables(ctx, cfg, args, keyPath == nil)
	s.bindState(ctx, addr, s.prev)
	s.evalLocals(ctx, cfg)

	for _, b := range cfg.Resources {
		s.evalResource(ctx, addr, cfg, b)
	}
	for _, b := range cfg.Calls {
		s.evalModuleCall(ctx, addr, chain, keyPath, cfg, b)
	}

	s.bindState(ctx, addr, s.next)
	outputs := map[string]cty.Value{}
	for _, ob := range cfg.Outputs {
		content, _, d := ob.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "value", Required: true}}})
		s.diags = append(s.diags, d...)
		if a, ok := content.Attributes["value"]; ok {
			v, d := evalExpr(a.Expr, ctx)
			s.diags = append(s.diags, d...)
			outputs[ob.Labels[0]] = v
		}
	}
	s.next.outputs[addr] = cty.ObjectVal(outputs)
}

// bindState exposes resource values and module outputs of a state to expressions.
func (s *stack) bindState(ctx *hcl.EvalContext, addr string, st *evalState) {
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
func (s *stack) evalLocals(ctx *hcl.EvalContext, cfg *Module) {
	byName := map[string]*hcl.Attribute{}
	for _, a := range cfg.Locals {
		byName[a.Name] = a
	}
	values := map[string]cty.Value{}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(a *hcl.Attribute)
	visit = func(a *hcl.Attribute) {
		switch state[a.Name] {
		case 1:
			s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cycle in local values", Detail: fmt.Sprintf("local.%s refers to itself", a.Name), Subject: a.Range.Ptr()})
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
		v, d := evalExpr(a.Expr, ctx)
		s.diags = append(s.diags, d...)
		values[a.Name] = v
		state[a.Name] = 2
	}
	for _, a := range cfg.Locals {
		visit(a)
	}
	ctx.Variables["local"] = cty.ObjectVal(values)
}

var (
	variableSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "description"}, {Name: "default"}, {Name: "type"}, {Name: "sensitive"}, {Name: "nullable"}, {Name: "ephemeral"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "validation"}},
	}
	validationSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "condition", Required: true}, {Name: "error_message", Required: true}}}
)

// evalVariables sets var.* and then checks each variable's validation rules,
// which may refer to the other variables, as Terraform does.
func (s *stack) evalVariables(ctx *hcl.EvalContext, cfg *Module, args map[string]cty.Value, isRoot bool) {
	vars := map[string]cty.Value{}
	var validations []*hcl.Block
	for _, vb := range cfg.Variables {
		content, _, d := vb.Body.PartialContent(variableSchema)
		s.diags = append(s.diags, d...)
		vars[vb.Labels[0]] = s.variableValue(vb, content, args, isRoot)
		for _, blk := range content.Blocks {
			validations = append(validations, blk)
		}
	}
	ctx.Variables["var"] = cty.ObjectVal(vars)
	for _, blk := range validations {
		content, d := blk.Body.Content(validationSchema)
		s.diags = append(s.diags, d...)
		if d.HasErrors() {
			continue
		}
		ok, d := evalExpr(content.Attributes["condition"].Expr, ctx)
		s.diags = append(s.diags, d...)
		if names := unsetIn(ok); len(names) > 0 {
			// As Terraform with an unknown value: the rule cannot be decided.
			for _, n := range names {
				s.needUnset(n)
			}
			continue
		}
		ok, _ = ok.Unmark()
		if d.HasErrors() || !ok.IsKnown() || ok.IsNull() || ok.Type() != cty.Bool || ok.True() {
			continue
		}
		msg, d := content.Attributes["error_message"].Expr.Value(ctx)
		text := "the validation rule failed"
		if msg, _ = msg.Unmark(); !d.HasErrors() && msg.IsKnown() && msg.Type() == cty.String {
			text = msg.AsString()
		}
		s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable", Detail: text, Subject: content.Attributes["condition"].Expr.Range().Ptr()})
	}
}

// variableValue is a variable's value: given, else its default, converted to
// its type. A root variable nobody set is unknown, as it would be to a policy
// that cannot see the value CI will pass.
func (s *stack) variableValue(vb *hcl.Block, content *hcl.BodyContent, args map[string]cty.Value, isRoot bool) cty.Value {
	name := vb.Labels[0]
	attrs := content.Attributes
	ty := cty.DynamicPseudoType
	var defaults *typeexpr.Defaults
	if a, ok := attrs["type"]; ok {
		var d hcl.Diagnostics
		ty, defaults, d = typeexpr.TypeConstraintWithDefaults(a.Expr)
		s.diags = append(s.diags, d...)
	}
	val, given, unset := cty.NilVal, false, false
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
			unset = isRoot && !given && def.IsNull()
		} else if !given {
			if !isRoot {
				s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing required argument", Detail: fmt.Sprintf("The argument %q is required, but no definition was found.", name), Subject: vb.DefRange.Ptr()})
			} else {
				s.unset[name] = true
			}
			val, unset = cty.UnknownVal(ty), isRoot
		}
	}
	if defaults != nil && val.IsKnown() {
		val = defaults.Apply(val)
	}
	conv, err := convert.Convert(val, ty)
	if err != nil {
		s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for input variable", Detail: fmt.Sprintf("The given value is not suitable for var.%s: %s.", name, err), Subject: vb.DefRange.Ptr()})
		conv = cty.UnknownVal(ty)
	}
	if a, ok := attrs["sensitive"]; ok {
		if v, _ := a.Expr.Value(nil); v.Type() == cty.Bool && v.IsKnown() && v.True() {
			conv = conv.Mark(marks.Sensitive)
		}
	}
	if unset {
		conv = conv.Mark(unsetMark(name))
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
	// every: count or for_each is known only after apply, so this one
	// instance, with its key unknown, stands for all of them ("[*]", as
	// Terraform writes a partly expanded address).
	every bool
}

// everyInstance is the one instance checked when count or for_each is
// known only after apply: count.index, each.key and each.value unknown.
func everyInstance(ctx *hcl.EvalContext, meta string, v cty.Value) instance {
	c := ctx.NewChild()
	if meta == "count" {
		c.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.UnknownVal(cty.Number)})}
	} else {
		elem := cty.DynamicVal
		if ty := v.Type(); ty.IsMapType() || ty.IsSetType() {
			elem = cty.UnknownVal(ty.ElementType())
		}
		_, marks := v.Unmark()
		key := cty.UnknownVal(cty.String).WithMarks(marks)
		c.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": key, "value": elem.WithMarks(marks)})}
	}
	return instance{suffix: "[*]", ctx: c, every: true}
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
// valid, in which case the block contributes an unknown value and no instance.
func (s *stack) expand(ctx *hcl.EvalContext, meta hcl.Attributes) (insts []instance, mode expansion, ok bool) {
	if a, has := meta["count"]; has {
		n, ok := s.count(ctx, a)
		if n < 0 {
			return []instance{everyInstance(ctx, "count", cty.NilVal)}, counted, true
		}
		if !ok {
			return nil, counted, false
		}
		for i := range n {
			c := ctx.NewChild()
			c.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(int64(i))})}
			insts = append(insts, instance{index: i, suffix: fmt.Sprintf("[%d]", i), ctx: c})
		}
		return insts, counted, true
	}
	if a, has := meta["for_each"]; has {
		invalid := func(detail string) (insts []instance, mode expansion, ok bool) {
			s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each argument", Detail: detail, Subject: a.Expr.Range().Ptr()})
			return nil, forEach, false
		}
		v, d := evalExpr(a.Expr, ctx)
		s.diags = append(s.diags, d...)
		if d.HasErrors() {
			return nil, forEach, false
		}
		if unset := unsetIn(v); len(unset) > 0 && (v.IsNull() || !v.IsWhollyKnown()) {
			for _, n := range unset {
				s.needUnset(n)
			}
			return []instance{everyInstance(ctx, "for_each", v)}, forEach, true
		}
		v, _ = v.UnmarkDeep()
		// A map's keys are known even where its values are not; a set's
		// elements are its keys.
		keysKnown := v.IsKnown() && (v.Type().IsSetType() && v.IsWhollyKnown() || !v.Type().IsSetType())
		switch {
		case v.IsKnown() && v.IsNull():
			return invalid(`The given "for_each" argument value is null. A map, or set of strings is allowed.`)
		case !keysKnown:
			return []instance{everyInstance(ctx, "for_each", v)}, forEach, true
		case !(v.Type().IsMapType() || v.Type().IsObjectType() || v.Type().IsSetType()):
			return invalid(fmt.Sprintf(`The given "for_each" argument value is unsuitable: the "for_each" argument must be a map, or set of strings, and you have provided a value of type %s.`, v.Type().FriendlyName()))
		case v.LengthInt() > s.configs.limits.Instances-s.instances:
			return invalid(fmt.Sprintf("for_each expands to %d instances: %s", v.LengthInt(), limits.Exceeded("instances", s.configs.limits.Instances)))
		}
		s.instances += v.LengthInt()
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			if v.Type().IsSetType() {
				if k.Type() != cty.String {
					return invalid(fmt.Sprintf(`The given "for_each" argument value is unsuitable: "for_each" supports maps and sets of strings, but you have provided a set containing type %s.`, k.Type().FriendlyName()))
				}
				if k.IsNull() {
					return invalid(`The given "for_each" argument value is unsuitable: "for_each" sets must not contain null values.`)
				}
			}
			c := ctx.NewChild()
			c.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": ev})}
			key := k.AsString()
			insts = append(insts, instance{index: key, suffix: "[" + strconv.Quote(key) + "]", ctx: c})
		}
		return insts, forEach, true
	}
	s.instances++
	return []instance{{ctx: ctx}}, single, true
}

// count evaluates a count argument as Terraform does: a whole number, zero
// or more, and within the instances limit; -1 when it is known only after
// apply.
func (s *stack) count(ctx *hcl.EvalContext, a *hcl.Attribute) (int, bool) {
	invalid := func(detail string) (int, bool) {
		s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid count argument", Detail: detail, Subject: a.Expr.Range().Ptr()})
		return 0, false
	}
	v, d := evalExpr(a.Expr, ctx)
	s.diags = append(s.diags, d...)
	if d.HasErrors() {
		return 0, false
	}
	if unset := unsetIn(v); len(unset) > 0 && (v.IsNull() || !v.IsKnown()) {
		for _, n := range unset {
			s.needUnset(n)
		}
		return -1, true
	}
	v, _ = v.Unmark()
	if !v.IsKnown() {
		return -1, true // known only after apply: every instance at once
	}
	if v.IsNull() {
		return invalid(`The given "count" argument value is null. An integer is required.`)
	}
	num, err := convert.Convert(v, cty.Number)
	if err != nil {
		return invalid(fmt.Sprintf(`The given "count" argument value is unsuitable: %s.`, err))
	}
	f := num.AsBigFloat()
	if !f.IsInt() {
		return invalid(`The given "count" argument value is unsuitable: value must be a whole number.`)
	}
	if f.Sign() < 0 {
		return invalid(`The given "count" argument value is unsuitable: must be greater than or equal to zero.`)
	}
	remaining := s.configs.limits.Instances - s.instances
	if f.Cmp(big.NewFloat(float64(remaining))) > 0 {
		return invalid(fmt.Sprintf("count = %s: %s", f.Text('g', -1), limits.Exceeded("instances", s.configs.limits.Instances)))
	}
	n, _ := f.Int64()
	s.instances += int(n)
	return int(n), true
}

// noteEvery says, for a block expanded into its one instance for all, that
// its findings stand for every instance Terraform will create.
func (s *stack) noteEvery(insts []instance, b *hcl.Block, addr string) {
	if len(insts) == 1 && insts[0].every {
		s.every = append(s.every, fmt.Sprintf("%s:%d: %s[*]: count or for_each is known only after apply: checked once, for every instance it will have",
			b.DefRange.Filename, b.DefRange.Start.Line, addr))
	}
}

// combine builds the value of a whole block from its instances' values:
// unknown when one instance stands for an unknown number of them.
func combine(mode expansion, insts []instance, vals []cty.Value) cty.Value {
	if len(insts) == 1 && insts[0].every {
		return cty.DynamicVal
	}
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
	resourceMeta      = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "count"}, {Name: "for_each"}, {Name: "provider"}, {Name: "depends_on"}}}
	resourceMetaAttrs = map[string]bool{"count": true, "for_each": true, "provider": true, "depends_on": true}
	resourceMetaBlock = map[string]bool{"lifecycle": true, "provisioner": true, "connection": true}
	moduleMetaAttrs   = map[string]bool{"source": true, "version": true, "count": true, "for_each": true, "providers": true, "depends_on": true}
)

func (s *stack) evalResource(ctx *hcl.EvalContext, addr string, cfg *Module, b *hcl.Block) {
	typ, name := b.Labels[0], b.Labels[1]
	key := typ + "." + name
	if b.Type == "data" {
		key = "data." + key
	}
	meta, _, d := b.Body.PartialContent(resourceMeta)
	s.diags = append(s.diags, d...)
	if _, both := meta.Attributes["for_each"]; both && meta.Attributes["count"] != nil {
		s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: `Invalid combination of "count" and "for_each"`, Detail: `The "count" and "for_each" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.`, Subject: meta.Attributes["for_each"].NameRange.Ptr()})
		s.next.set(s.next.resources, addr, key, cty.DynamicVal)
		return
	}
	insts, mode, ok := s.expand(ctx, meta.Attributes)
	if !ok {
		s.next.set(s.next.resources, addr, key, cty.DynamicVal)
		return
	}
	schema, err := schemaOf(b.Body, resourceMetaAttrs, resourceMetaBlock)
	if err != nil {
		s.diags = append(s.diags, err)
		return
	}
	provider := providerKey(meta.Attributes, typ)
	localName := strings.SplitN(provider, ".", 2)[0]
	if block, user := s.configs.schemas.Lookup(localName, typ, b.Type == "data"); block != nil {
		var unknown []string
		schema, unknown = providerSchema(block, schema, user)
		if len(unknown) > 0 {
			if user {
				s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported argument",
					Detail: fmt.Sprintf("%s has no %s in the provider schema given with --provider-schema.", typ, strings.Join(unknown, ", ")), Subject: b.DefRange.Ptr()})
				return
			}
			s.schemaNotes = append(s.schemaNotes, schemaNote(b, localName, unknown))
		}
	}
	s.noteEvery(insts, b, joinAddr(addr, key))
	var vals []cty.Value
	for _, in := range insts {
		obj, d := evalContent(dynblock.Expand(b.Body, in.ctx), schema, in.ctx)
		s.diags = append(s.diags, d...)
		self := joinAddr(addr, key+in.suffix)
		vals = append(vals, s.withUnknownRefs(cfg, schema, self, withComputed(schema, obj, self)))
		if b.Type != "resource" {
			continue
		}
		values, unknown, sensitive, refs := attributeMaps(obj)
		full := joinAddr(addr, key+in.suffix)
		s.out = append(s.out, input.Resource{
			Address: full, Mode: "managed", Type: typ, Name: name, Index: in.index, Module: addr,
			Config:   ConfigAddress(addr, "managed", typ, name),
			Provider: provider, Stack: s.name, Action: "config",
			Values: values, Unknown: unknown, Sensitive: sensitive, References: refs,
			Source: input.Source{File: b.DefRange.Filename, Line: b.DefRange.Start.Line, Via: s.via[addr]},
		})
	}
	s.next.set(s.next.resources, addr, key, combine(mode, insts, vals))
}

// providerKey is the provider configuration a resource uses: its provider
// argument ("helm.primary") or the default one named by its type's prefix.
func providerKey(meta hcl.Attributes, typ string) string {
	if a, ok := meta["provider"]; ok {
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
func (s *stack) withUnknownRefs(cfg *Module, bs *bodySchema, self string, obj cty.Value) cty.Value {
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

// referencedNames are the attribute names any expression of the module
// traverses (x.y.name): the names another block may read from a resource.
func (s *stack) referencedNames(cfg *Module) map[string]bool {
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
	// Native expressions are walked whole (a relative traversal such as
	// f(x).name is no variable); other syntaxes list their variables.
	visit := func(e hcl.Expression) {
		n, ok := e.(hclsyntax.Node)
		if !ok {
			for _, tr := range e.Variables() {
				collect(tr)
			}
			return
		}
		hclsyntax.VisitAll(n, func(n hclsyntax.Node) hcl.Diagnostics {
			switch e := n.(type) {
			case *hclsyntax.ScopeTraversalExpr:
				collect(e.Traversal)
			case *hclsyntax.RelativeTraversalExpr:
				collect(e.Traversal)
			}
			return nil
		})
	}
	for _, list := range [][]*hcl.Block{cfg.Resources, cfg.Calls, cfg.Outputs} {
		for _, b := range list {
			visitExpressions(b.Body, visit)
		}
	}
	for _, a := range cfg.Locals {
		visit(a.Expr)
	}
	s.refNames[cfg] = names
	return names
}

// visitExpressions calls fn with every expression of a body and its nested
// blocks, whatever its syntax (native, JSON, or merged from an override).
func visitExpressions(body hcl.Body, fn func(hcl.Expression)) {
	switch b := body.(type) {
	case *hclsyntax.Body:
		for _, a := range b.Attributes {
			fn(a.Expr)
		}
		for _, blk := range b.Blocks {
			visitExpressions(blk.Body, fn)
		}
	case mergedBody:
		visitExpressions(b.base, fn)
		visitExpressions(b.override, fn)
	default:
		attrs, _ := body.JustAttributes()
		for _, a := range attrs {
			fn(a.Expr)
		}
	}
}

var moduleCallSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "source", Required: true}, {Name: "count"}, {Name: "for_each"}}}

func (s *stack) evalModuleCall(ctx *hcl.EvalContext, addr string, chain, keyPath []string, cfg *Module, b *hcl.Block) {
	name := b.Labels[0]
	callErr := func(summary, detail string, r hcl.Range) {
		s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: r.Ptr()})
		s.next.set(s.next.calls, addr, name, cty.DynamicVal)
	}
	meta, _, d := b.Body.PartialContent(moduleCallSchema)
	s.diags = append(s.diags, d...)
	srcAttr, ok := meta.Attributes["source"]
	if !ok {
		s.next.set(s.next.calls, addr, name, cty.DynamicVal)
		return
	}
	srcVal, d := srcAttr.Expr.Value(nil)
	if d.HasErrors() || srcVal.Type() != cty.String || srcVal.IsNull() {
		callErr("Invalid module source", fmt.Sprintf("module %q: the source must be a literal string", name), srcAttr.Range)
		return
	}
	childKey := append(slices.Clone(keyPath), name)
	dir, err := moduleSourceDir(s.rootDir, cfg.Dir, strings.Join(childKey, "."), srcVal.AsString())
	if err != nil {
		callErr(missingModule, fmt.Sprintf("module %q: %s", name, err), srcAttr.Range)
		return
	}
	if abs, err := filepath.EvalSymlinks(dir); err == nil {
		dir = abs
	}
	if i := slices.Index(chain, dir); i >= 0 {
		var steps []string
		for _, d := range append(chain[i:], dir) {
			rel, _ := filepath.Rel(s.rootDir, d)
			steps = append(steps, filepath.ToSlash(rel))
		}
		callErr("Module cycle", fmt.Sprintf("module %q calls a module that is already calling it: %s", name, strings.Join(steps, " -> ")), srcAttr.Range)
		return
	}
	if len(childKey) > s.configs.limits.ModuleDepth {
		callErr("Module calls nested too deeply", fmt.Sprintf("module %q is %d calls deep: %s", name, len(childKey), limits.Exceeded("module-depth", s.configs.limits.ModuleDepth)), srcAttr.Range)
		return
	}
	child, err := s.configs.Module(dir)
	if err != nil {
		if e, ok := err.(*Error); ok {
			s.diags = append(s.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: e.Msg})
			s.next.set(s.next.calls, addr, name, cty.DynamicVal)
			return
		}
		callErr("Unreadable module", fmt.Sprintf("module %q: %s", name, err), srcAttr.Range)
		return
	}
	if meta.Attributes["count"] != nil && meta.Attributes["for_each"] != nil {
		callErr(`Invalid combination of "count" and "for_each"`, `The "count" and "for_each" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.`, meta.Attributes["for_each"].NameRange)
		return
	}
	insts, mode, ok := s.expand(ctx, meta.Attributes)
	if !ok {
		s.next.set(s.next.calls, addr, name, cty.DynamicVal)
		return
	}
	s.noteEvery(insts, b, joinAddr(addr, "module."+name))
	argAttrs, d := b.Body.JustAttributes()
	s.diags = append(s.diags, d...)
	var vals []cty.Value
	for _, in := range insts {
		args := map[string]cty.Value{}
		for _, a := range sortedAttributes(argAttrs) {
			if moduleMetaAttrs[a.Name] {
				continue
			}
			v, d := evalExpr(a.Expr, in.ctx)
			s.diags = append(s.diags, d...)
			args[a.Name] = v
		}
		childAddr := joinAddr(addr, "module."+name+in.suffix)
		s.via[childAddr] = append(slices.Clone(s.via[addr]), input.Call{File: b.DefRange.Filename, Line: b.DefRange.Start.Line, Module: "module." + name})
		s.evalModule(childAddr, append(slices.Clone(chain), dir), childKey, child, args)
		vals = append(vals, s.next.outputs[childAddr])
	}
	s.next.set(s.next.calls, addr, name, combine(mode, insts, vals))
}

// bodySchema is the schema of a block body as written, so that any resource
// type can be decoded without its provider's schema.
type bodySchema struct {
	schema *hcl.BodySchema
	blocks map[string]*bodySchema
	meta   map[string]bool // meta-arguments: in the schema, left out of the value
	typed  *typed          // from the provider's schema; nil without one
}

// schemaOf derives a body's schema from what it holds. Native syntax tells
// attributes from nested blocks: every attribute, every nested block type,
// and the block types that `dynamic` blocks generate (from their content);
// blocks of one type are merged, so any instance may differ. JSON syntax
// cannot tell them apart without the provider's schema, so every property is
// an attribute (a block written as an array of objects reads as the same
// list of objects). An override's schema is the union of both sides.
func schemaOf(body hcl.Body, skipAttrs, skipBlocks map[string]bool) (*bodySchema, *hcl.Diagnostic) {
	switch b := body.(type) {
	case *hclsyntax.Body:
		return syntaxSchema(b, skipAttrs, skipBlocks), nil
	case mergedBody:
		base, d := schemaOf(b.base, skipAttrs, skipBlocks)
		if d != nil {
			return nil, d
		}
		over, d := schemaOf(b.override, skipAttrs, skipBlocks)
		if d != nil {
			return nil, d
		}
		return unionSchema(base, over), nil
	}
	attrs, diags := body.JustAttributes()
	if diags.HasErrors() {
		return nil, diags[0]
	}
	bs := &bodySchema{schema: &hcl.BodySchema{}, blocks: map[string]*bodySchema{}, meta: map[string]bool{}}
	for _, a := range sortedAttributes(attrs) {
		if a.Name == "dynamic" {
			return nil, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported dynamic block in JSON", Detail: "guard cannot expand dynamic blocks written in .tf.json without the provider's schema; write this resource in native syntax", Subject: a.NameRange.Ptr()}
		}
		bs.schema.Attributes = append(bs.schema.Attributes, hcl.AttributeSchema{Name: a.Name})
		if skipAttrs[a.Name] || skipBlocks[a.Name] {
			bs.meta[a.Name] = true
		}
	}
	return bs, nil
}

func syntaxSchema(body *hclsyntax.Body, skipAttrs, skipBlocks map[string]bool) *bodySchema {
	bs := &bodySchema{schema: &hcl.BodySchema{}, blocks: map[string]*bodySchema{}, meta: map[string]bool{}}
	var names []string
	for n := range body.Attributes {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		bs.schema.Attributes = append(bs.schema.Attributes, hcl.AttributeSchema{Name: n})
		if skipAttrs[n] {
			bs.meta[n] = true
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
	slices.Sort(order)
	for _, typ := range order {
		names := make([]string, labels[typ])
		for i := range names {
			names[i] = fmt.Sprintf("label%d", i)
		}
		bs.schema.Blocks = append(bs.schema.Blocks, hcl.BlockHeaderSchema{Type: typ, LabelNames: names})
		bs.blocks[typ] = syntaxSchema(merged[typ], nil, nil)
	}
	return bs
}

// unionSchema merges two derived schemas: every attribute and block type of either.
func unionSchema(a, b *bodySchema) *bodySchema {
	out := &bodySchema{schema: &hcl.BodySchema{}, blocks: map[string]*bodySchema{}, meta: map[string]bool{}}
	attrs := map[string]bool{}
	for _, s := range []*bodySchema{a, b} {
		for _, at := range s.schema.Attributes {
			if !attrs[at.Name] {
				attrs[at.Name] = true
				out.schema.Attributes = append(out.schema.Attributes, at)
			}
		}
		for k := range s.meta {
			out.meta[k] = true
		}
	}
	headers := map[string]hcl.BlockHeaderSchema{}
	for _, s := range []*bodySchema{a, b} {
		for _, h := range s.schema.Blocks {
			if prev, ok := headers[h.Type]; !ok || len(h.LabelNames) > len(prev.LabelNames) {
				headers[h.Type] = h
			}
			if prev, ok := out.blocks[h.Type]; ok {
				out.blocks[h.Type] = unionSchema(prev, s.blocks[h.Type])
			} else {
				out.blocks[h.Type] = s.blocks[h.Type]
			}
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(headers)) {
		if attrs[typ] {
			continue // an attribute on one side, blocks on the other: the attribute
		}
		out.schema.Blocks = append(out.schema.Blocks, headers[typ])
	}
	return out
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
		v, d := evalExpr(a.Expr, ctx)
		diags = append(diags, d...)
		if bs.typed != nil {
			v, d = bs.typed.convertAttribute(name, v, a.Expr)
			diags = append(diags, d...)
		}
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
		if _, isAttr := attrs[typ]; isAttr {
			continue
		}
		if bs.typed != nil && !bs.typed.written[typ] && len(grouped[typ]) == 0 {
			continue // a block the configuration does not write: not in its values
		}
		if vals := grouped[typ]; len(vals) > 0 {
			attrs[typ] = cty.TupleVal(vals)
		} else {
			attrs[typ] = cty.EmptyTupleVal
		}
	}
	return cty.ObjectVal(attrs), diags
}
