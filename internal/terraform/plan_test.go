package terraform

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/guard/internal/limits"
)

const realBasePlan = "../../testdata/stack-plans/base.json"

// The real plans of the project's stacks decode whole: every resource change.
func TestReadRealPlans(t *testing.T) {
	for file, want := range map[string]int{realBasePlan: 41, "../../testdata/stack-plans/app.json": 2} {
		p, err := ReadPlan(file, limits.Default)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(p.Resources) != want || p.Config == nil {
			t.Errorf("%s: %d resources (config %v), want %d", file, len(p.Resources), p.Config != nil, want)
		}
	}
	p, _ := ReadPlan(realBasePlan, limits.Default)
	for _, r := range p.Resources {
		if r.Address == "google_dns_record_set.app" {
			u := asJSONAny(r.Unknown)
			if !strings.Contains(u, `"primary":[{"external_endpoints":true`) {
				t.Errorf("the gateway address is unknown as a whole in the real plan: %s", u)
			}
		}
	}
}

func asJSONAny(v any) string { b, _ := json.Marshal(v); return string(b) }

// mutatePlan writes the real base plan changed by fn.
func mutatePlan(t *testing.T, fn func(p map[string]any)) string {
	t.Helper()
	data, err := os.ReadFile(realBasePlan)
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	fn(p)
	out, _ := json.Marshal(p)
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func changes(p map[string]any) []any { return p["resource_changes"].([]any) }

func change(p map[string]any, i int) map[string]any {
	return changes(p)[i].(map[string]any)["change"].(map[string]any)
}

// A plan guard would misread is an error naming the JSON path, never a
// resource dropped or a panic.
func TestStrictPlans(t *testing.T) {
	tests := []struct {
		name string
		fn   func(p map[string]any)
		want string
	}{
		{"null resource change", func(p map[string]any) { changes(p)[3] = nil }, "resource_changes[3]: null entry"},
		{"after is a list", func(p map[string]any) { change(p, 0)["after"] = []any{1} }, "resource_changes[0]: google_artifact_registry_repository.images: change.after must be an object, got an array"},
		{"after is a string", func(p map[string]any) { change(p, 0)["after"] = "x" }, "change.after must be an object, got a string"},
		{"after is null on create", func(p map[string]any) { change(p, 0)["after"] = nil }, "change.after must be an object, got null"},
		{"unknown action", func(p map[string]any) { change(p, 1)["actions"] = []any{"explode"} }, `resource_changes[1]: google_artifact_registry_repository_iam_member.gke_nodes_reader: unknown action "explode"`},
		{"no actions", func(p map[string]any) { change(p, 1)["actions"] = []any{} }, "change.actions must list one or two actions, got 0"},
		{"change missing", func(p map[string]any) { delete(changes(p)[2].(map[string]any), "change") }, "resource_changes[2]: google_compute_firewall.allow_health_checks: no change"},
		{"wrong type of change", func(p map[string]any) { changes(p)[2].(map[string]any)["change"] = "x" }, "resource_changes[2]: expected an object"},
		{"duplicate address", func(p map[string]any) { p["resource_changes"] = append(changes(p), changes(p)[5]) }, "resource_changes[41]: address " + "google_compute_health_check.app appears twice"},
		{"unknown mode", func(p map[string]any) { changes(p)[0].(map[string]any)["mode"] = "ephemeralish" }, `unknown mode "ephemeralish"`},
		{"resource_changes not an array", func(p map[string]any) { p["resource_changes"] = map[string]any{} }, "resource_changes: expected an array, got an object"},
		{"null planned resource", func(p map[string]any) {
			rm := p["planned_values"].(map[string]any)["root_module"].(map[string]any)
			rm["resources"] = append(rm["resources"].([]any), nil)
		}, "planned_values.root_module.resources[25]: null entry"},
		{"null child module", func(p map[string]any) {
			rm := p["planned_values"].(map[string]any)["root_module"].(map[string]any)
			rm["child_modules"] = append(rm["child_modules"].([]any), nil)
		}, "planned_values.root_module.child_modules[2]: null entry"},
		{"unsupported format version", func(p map[string]any) { p["format_version"] = "9.0" }, "unsupported plan format version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadPlan(mutatePlan(t, tt.fn), limits.Default)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestNotAPlan(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"manifest.json": `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}`,
		"array.json":    `[1, 2]`,
		"no-resources":  `{"format_version": "1.2"}`,
	} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o644)
		if _, err := ReadPlan(path, limits.Default); !errors.Is(err, NotPlan) {
			t.Errorf("%s: %v, want NotPlan", name, err)
		}
	}
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(`{"format_version": "1.2", "resource_changes": [{]}`), 0o644)
	var se *SyntaxError
	if _, err := ReadPlan(broken, limits.Default); !errors.As(err, &se) || se.Offset == 0 {
		t.Errorf("broken JSON: %v, want a syntax error with its offset", err)
	}
}

// Planned resources without a resource change (hand-made plans) are kept,
// with their values, as no-ops.
func TestPlannedValuesWithoutChanges(t *testing.T) {
	path := mutatePlan(t, func(p map[string]any) { delete(p, "resource_changes") })
	plan, err := ReadPlan(path, limits.Default)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Resources) != 41 {
		t.Fatalf("%d resources, want 41", len(plan.Resources))
	}
	for _, r := range plan.Resources {
		if r.Action != "no-op" || len(r.Values) == 0 {
			t.Errorf("%s: action %s, %d values", r.Address, r.Action, len(r.Values))
		}
		if r.Address == `module.region["primary"].google_container_cluster.this` && r.Module != `module.region["primary"]` {
			t.Errorf("module %q", r.Module)
		}
	}
}

func TestPlanSizeLimit(t *testing.T) {
	lim := limits.Default
	lim.FileSize = 1000
	if _, err := ReadPlan(realBasePlan, lim); err == nil || !strings.Contains(err.Error(), "--limit file-size=N") {
		t.Errorf("got %v", err)
	}
}
