package terraform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/acme/guard/internal/limits"
)

// fuzzLimits keep one fuzz input cheap: a crash, not a slow input, is what
// the fuzzers look for (the hostile corpus covers the limits themselves).
var fuzzLimits = limits.Limits{FileSize: 1 << 20, Depth: 100, Documents: 1000, ModuleDepth: 4, Instances: 100}

// FuzzReadPlan: no plan JSON makes ReadPlan panic; whatever it returns is a
// plan or an error, never both.
func FuzzReadPlan(f *testing.F) {
	for _, seed := range []string{"../../testdata/stack-plans/app.json", "../../testdata/plans/base-editor-role.json"} {
		data, err := os.ReadFile(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[null]}`))
	f.Add([]byte(`{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"address":"a.b","type":"a","name":"b","mode":"managed"}]}}}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "plan.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := ReadPlan(path, fuzzLimits)
		if (p == nil) == (err == nil) {
			t.Fatalf("plan %v and error %v", p != nil, err)
		}
	})
}

// FuzzTerraformFile: no .tf file makes parsing or evaluation panic.
func FuzzTerraformFile(f *testing.F) {
	for _, seed := range []string{"../../stacks/base/main.tf", "../../stacks/base/modules/region/main.tf", "../../stacks/app/main.tf"} {
		data, err := os.ReadFile(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("variable {}\n"))
	f.Add([]byte("resource \"a_b\" \"c\" {\n  count = var.n\n  dynamic \"x\" {\n    for_each = [1]\n    content {\n      y = x.value\n    }\n  }\n}\nvariable \"n\" {\n  default = 2\n}\n"))
	f.Add([]byte("module \"self\" {\n  source = \"./\"\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		c := NewConfigs(func(p string) string { return p }, fuzzLimits)
		vars, err := c.RootVariables(dir, nil, nil)
		if err != nil {
			return
		}
		_, _ = c.Evaluate(dir, vars)
	})
}
