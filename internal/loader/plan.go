package loader

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/acme/guard/internal/input"
)

// isPlanJSON says whether data is a `terraform show -json` (or `tofu show -json`) plan.
func isPlanJSON(data []byte) bool {
	if !bytes.Contains(data, []byte(`"format_version"`)) {
		return false // cheap: most JSON inputs are manifests
	}
	var probe struct {
		FormatVersion   *string         `json:"format_version"`
		PlannedValues   json.RawMessage `json:"planned_values"`
		ResourceChanges json.RawMessage `json:"resource_changes"`
	}
	if json.Unmarshal(data, &probe) != nil || probe.FormatVersion == nil {
		return false
	}
	return probe.PlannedValues != nil || probe.ResourceChanges != nil
}

// decodePlan decodes data as a Terraform plan. isPlan is false for JSON that
// is not one (a manifest, or not even valid JSON: the caller reports that);
// err is set for a plan terraform-json refuses (an unsupported version).
func decodePlan(data []byte) (plan *tfjson.Plan, isPlan bool, err error) {
	if !bytes.Contains(data, []byte(`"format_version"`)) {
		return nil, false, nil // cheap: most JSON inputs are manifests
	}
	plan = &tfjson.Plan{}
	plan.UseJSONNumber(true)
	if err := json.Unmarshal(data, plan); err != nil {
		// Only now the probe: was it a plan at all?
		return nil, isPlanJSON(data), err
	}
	return plan, plan.FormatVersion != "" && (plan.PlannedValues != nil || plan.ResourceChanges != nil), nil
}

// loadPlan reads a plan: every resource change at every module level, its
// action, values from `after`, unknowns from `after_unknown`, sensitive marks
// from `after_sensitive`; then locates each resource in the stack's HCL and
// renders the local charts of its helm_release resources.
func (l *Loader) loadPlan(path string, plan *tfjson.Plan) (*input.Input, error) {
	sourceDir := l.opts.Source
	if sourceDir == "" && hasTerraformFiles(filepath.Dir(path)) {
		sourceDir = filepath.Dir(path)
	}
	stack := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	var loc *locator
	if sourceDir != "" {
		abs, _ := filepath.Abs(sourceDir)
		stack = filepath.Base(abs)
		loc = &locator{cache: l.cache, root: abs}
	}
	providers := providerKeys(plan.Config)

	in := &input.Input{}
	seen := map[string]bool{}
	for _, rc := range plan.ResourceChanges {
		if rc.Change == nil || rc.DeposedKey != "" {
			continue
		}
		seen[rc.Address] = true
		res := input.Resource{
			Address: rc.Address, Mode: string(rc.Mode), Type: rc.Type, Name: rc.Name,
			Index: rc.Index, Module: rc.ModuleAddress, Stack: stack,
			Config:   configAddress(rc.ModuleAddress, string(rc.Mode), rc.Type, rc.Name),
			Action:   actionName(rc.Change.Actions),
			Provider: providers[configAddress(rc.ModuleAddress, string(rc.Mode), rc.Type, rc.Name)],
			Values:   asMap(rc.Change.After), Unknown: asMap(rc.Change.AfterUnknown), Sensitive: asMap(rc.Change.AfterSensitive),
			Source: input.Source{File: l.display(path)},
		}
		in.Terraform.Resources = append(in.Terraform.Resources, res)
	}
	// Resources in planned_values that have no change entry (some tools emit
	// plans without resource_changes) are kept as no-ops.
	if plan.PlannedValues != nil {
		walkPlannedModules(plan.PlannedValues.RootModule, func(module string, r *tfjson.StateResource) {
			if seen[r.Address] {
				return
			}
			in.Terraform.Resources = append(in.Terraform.Resources, input.Resource{
				Address: r.Address, Mode: string(r.Mode), Type: r.Type, Name: r.Name, Index: r.Index,
				Module: module, Stack: stack, Action: "no-op",
				Config:   configAddress(module, string(r.Mode), r.Type, r.Name),
				Provider: providers[configAddress(module, string(r.Mode), r.Type, r.Name)],
				Values:   r.AttributeValues, Sensitive: asMapRaw(r.SensitiveValues),
				Source: input.Source{File: l.display(path)},
			})
		})
	}
	planReferences(plan.Config, in.Terraform.Resources)
	if loc != nil {
		for i := range in.Terraform.Resources {
			r := &in.Terraform.Resources[i]
			src, ok, err := loc.find(r.Module, r.Mode, r.Type, r.Name)
			if err != nil {
				return nil, &Error{Msg: err.Error()}
			}
			if ok {
				r.Source = src
			}
		}
	}
	baseDir := sourceDir
	if baseDir == "" {
		baseDir = filepath.Dir(path)
	}
	objs, err := l.renderReleases(in.Terraform.Resources, baseDir)
	if err != nil {
		return nil, err
	}
	in.Kubernetes.Objects = objs
	return in, nil
}

func walkPlannedModules(m *tfjson.StateModule, fn func(module string, r *tfjson.StateResource)) {
	if m == nil {
		return
	}
	for _, r := range m.Resources {
		fn(m.Address, r)
	}
	for _, c := range m.ChildModules {
		walkPlannedModules(c, fn)
	}
}

// actionName folds Terraform's action lists into one word.
func actionName(a tfjson.Actions) string {
	switch {
	case a.Replace():
		return "replace"
	case a.Create():
		return "create"
	case a.Update():
		return "update"
	case a.Delete():
		return "delete"
	case a.Read():
		return "read"
	case a.Forget():
		return "forget"
	}
	return "no-op"
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}

func asMapRaw(raw json.RawMessage) map[string]any {
	if len(raw) == 0 {
		return map[string]any{}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	_ = dec.Decode(&m)
	return asMap(m)
}

// providerKeys maps each configured resource (module path without instance
// keys, e.g. "module.region.google_container_cluster.this") to its provider
// configuration key ("helm.primary").
func providerKeys(cfg *tfjson.Config) map[string]string {
	out := map[string]string{}
	if cfg == nil {
		return out
	}
	var walk func(prefix string, m *tfjson.ConfigModule)
	walk = func(prefix string, m *tfjson.ConfigModule) {
		if m == nil {
			return
		}
		for _, r := range m.Resources {
			key := r.ProviderConfigKey
			if i := strings.LastIndex(key, ":"); i >= 0 {
				key = key[i+1:]
			}
			out[joinAddr(prefix, r.Address)] = key
		}
		for name, call := range m.ModuleCalls {
			walk(joinAddr(prefix, "module."+name), call.Module)
		}
	}
	walk("", cfg.RootModule)
	return out
}

// configAddress is a resource's address in configuration: module instance
// keys dropped, so every instance maps to the one block that declares it.
func configAddress(module, mode, typ, name string) string {
	addr := typ + "." + name
	if mode == string(tfjson.DataResourceMode) {
		addr = "data." + addr
	}
	return joinAddr(strings.Join(moduleCallPath(module), "."), addr)
}

// moduleCallPath splits `module.a["x"].module.b[0]` into ["module.a", "module.b"].
func moduleCallPath(module string) []string {
	fields := strings.Split(stripIndexes(module), ".")
	var parts []string
	for i := 0; i+1 < len(fields); i += 2 {
		parts = append(parts, fields[i]+"."+fields[i+1])
	}
	return parts
}

func joinAddr(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}
