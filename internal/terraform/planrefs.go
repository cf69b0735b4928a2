package terraform

import (
	"maps"
	"slices"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/acme/guard/internal/input"
)

// PlanReferences gives plan resources the same References an HCL stack has:
// at each unknown value, the resource attributes its expression refers to,
// read from the plan's configuration and followed through module variables.
// Without it a rule could not tell "unknown, but the service account this
// stack creates" from "unknown" in a plan.
func PlanReferences(cfg *tfjson.Config, resources []input.Resource) {
	if cfg == nil || cfg.RootModule == nil {
		return
	}
	ix := configIndex{resources: map[string]*tfjson.ConfigResource{}, calls: map[string]*tfjson.ModuleCall{}}
	ix.add("", cfg.RootModule)
	for i := range resources {
		r := &resources[i]
		cr := ix.resources[ConfigAddress(r.Module, r.Mode, r.Type, r.Name)]
		if cr == nil || len(r.Unknown) == 0 {
			continue
		}
		refs := map[string]any{}
		ix.walk(cr.Expressions, r.Unknown, r.Module, func(path []any, list []string) {
			setJSONPath(refs, path, toAny(list))
		}, nil)
		if len(refs) > 0 {
			r.References = refs
		}
	}
}

type configIndex struct {
	resources map[string]*tfjson.ConfigResource // by configuration address
	calls     map[string]*tfjson.ModuleCall     // by "module.a.module.b"
}

func (ix configIndex) add(prefix string, m *tfjson.ConfigModule) {
	for _, r := range m.Resources {
		if r != nil {
			ix.resources[joinAddr(prefix, r.Address)] = r
		}
	}
	for name, call := range m.ModuleCalls {
		if call == nil {
			continue
		}
		p := joinAddr(prefix, "module."+name)
		ix.calls[p] = call
		if call.Module != nil {
			ix.add(p, call.Module)
		}
	}
}

// walk visits each expression under an unknown value, with its resolved references.
func (ix configIndex) walk(exprs map[string]*tfjson.Expression, unknown any, module string, visit func([]any, []string), path []any) {
	names := slices.Sorted(maps.Keys(exprs))
	for _, name := range names {
		e := exprs[name]
		if e == nil || e.ExpressionData == nil {
			continue
		}
		u := child(unknown, name)
		p := append(append([]any{}, path...), name)
		if u == true {
			if refs := ix.resolve(e.References, module); len(refs) > 0 {
				visit(p, refs)
			}
			continue
		}
		for i, block := range e.NestedBlocks {
			ix.walk(block, child(u, i), module, visit, append(p, i))
		}
	}
}

func child(mirror any, step any) any {
	switch s := step.(type) {
	case string:
		if m, ok := mirror.(map[string]any); ok {
			return m[s]
		}
	case int:
		if l, ok := mirror.([]any); ok && s < len(l) {
			return l[s]
		}
	}
	if mirror == true {
		return true
	}
	return nil
}

// resolve turns an expression's references, written inside module instance
// module, into absolute resource attribute addresses: resource references get
// the module prefix, module variables are followed to the calling module's
// argument. Locals, root variables and module outputs are not followed.
//
// Only an expression that refers to exactly one thing is followed: a plan
// records which values an expression mentions, not which one it chose, and
// `cond ? null : google_service_account.x.email` must not pass for the
// service account when it picked null.
func (ix configIndex) resolve(refs []string, module string) []string {
	refs = mostSpecific(refs)
	if len(refs) != 1 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, ref := range refs {
		parts := strings.Split(stripIndexes(ref), ".")
		switch {
		case parts[0] == "var" && module != "":
			parent, call := splitModule(module)
			c := ix.calls[strings.Join(moduleCallPath(joinAddr(parent, call)), ".")]
			if c == nil || len(parts) < 2 {
				continue
			}
			if e := c.Expressions[parts[1]]; e != nil && e.ExpressionData != nil {
				for _, r := range ix.resolve(e.References, parent) {
					if !seen[r] {
						seen[r] = true
						out = append(out, r)
					}
				}
			}
		case isResourceRef(parts):
			r := joinAddr(module, ref)
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	sort.Strings(out)
	return out
}

// mostSpecific drops references that only prefix another one (Terraform lists
// "a.b.c", "a.b" and "a" for one traversal).
func mostSpecific(refs []string) []string {
	var out []string
	for _, r := range refs {
		covered := false
		for _, o := range refs {
			if o != r && strings.HasPrefix(o, r) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, r)
		}
	}
	return out
}

func isResourceRef(parts []string) bool {
	switch parts[0] {
	case "var", "local", "each", "count", "path", "module", "terraform", "self":
		return false
	case "data":
		return len(parts) >= 4
	}
	return len(parts) >= 3 && strings.Contains(parts[0], "_")
}

// splitModule splits `module.a["x"].module.b[0]` into `module.a["x"]` and `module.b[0]`.
func splitModule(module string) (parent, last string) {
	i := strings.LastIndex(module, "module.")
	if i <= 0 {
		return "", module
	}
	return strings.TrimSuffix(module[:i], "."), module[i:]
}

// stripIndexes drops instance keys from an address (`a["x.y"].b[0]` -> `a.b`),
// minding quoted keys that hold dots or brackets.
func stripIndexes(ref string) string {
	var b strings.Builder
	depth, inString := 0, false
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case depth > 0 && c == '"':
			inString = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// setJSONPath sets leaf at a path of keys and indexes, padding lists with false.
func setJSONPath(m map[string]any, path []any, leaf any) {
	var set func(cur any, path []any) any
	set = func(cur any, path []any) any {
		if len(path) == 0 {
			return leaf
		}
		switch s := path[0].(type) {
		case string:
			mm, _ := cur.(map[string]any)
			if mm == nil {
				mm = map[string]any{}
			}
			mm[s] = set(mm[s], path[1:])
			return mm
		case int:
			l, _ := cur.([]any)
			for len(l) <= s {
				l = append(l, false)
			}
			l[s] = set(l[s], path[1:])
			return l
		}
		return cur
	}
	set(m, path)
}
