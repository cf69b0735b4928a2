// Package fuzz holds guard's fuzz targets, one per input kind, in one
// package: fuzzing instruments every dependency, so one package means one
// instrumented build for all of them. `make test` runs each briefly
// (scripts/test.sh); a crash found goes into testdata/fuzz as a regression
// case, which every `go test` run replays.
package fuzz

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/loader"
	"github.com/acme/guard/internal/terraform"
)

// fuzzLimits keep one input cheap: the fuzzers look for crashes; the
// hostile corpus (test/acceptance) covers the limits themselves.
var fuzzLimits = limits.Limits{FileSize: 1 << 20, Depth: 100, Documents: 1000, ModuleDepth: 4, Instances: 100}

func seeds(f *testing.F, files ...string) {
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzReadPlan: no plan JSON makes ReadPlan panic; it returns a plan or an
// error, never both. The seed is small on purpose (a real plan's shapes, two
// resources): the fuzzer minimizes every new input it keeps.
func FuzzReadPlan(f *testing.F) {
	seeds(f, "testdata/seed-plan.json")
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[null]}`))
	f.Add([]byte(`{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"address":"a.b","type":"a","name":"b","mode":"managed"}]}}}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "plan.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := terraform.ReadPlan(path, fuzzLimits)
		if (p == nil) == (err == nil) {
			t.Fatalf("plan %v and error %v", p != nil, err)
		}
	})
}

// FuzzTerraformFile: no .tf file makes parsing or evaluation panic.
func FuzzTerraformFile(f *testing.F) {
	seeds(f, "../../testdata/hcl/fixture/main.tf", "../../testdata/hcl/fixture/variables.tf", "../../stacks/app/main.tf")
	f.Add([]byte("variable {}\n"))
	f.Add([]byte("resource \"a_b\" \"c\" {\n  count = var.n\n  dynamic \"x\" {\n    for_each = [1]\n    content {\n      y = x.value\n    }\n  }\n}\nvariable \"n\" {\n  default = 2\n}\n"))
	f.Add([]byte("module \"self\" {\n  source = \"./\"\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		c := terraform.NewConfigs(filepath.ToSlash, fuzzLimits)
		vars, err := c.RootVariables(dir, nil, nil)
		if err != nil {
			return
		}
		_, _, _ = c.Evaluate(dir, vars)
	})
}

// load reads paths with guard's loader as `guard check` does.
func load(t *testing.T, opts loader.Options, paths ...string) {
	t.Helper()
	opts.Limits = fuzzLimits
	l, err := loader.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = l.Load(context.Background(), paths)
}

// FuzzManifests: no YAML file makes reading manifests panic.
func FuzzManifests(f *testing.F) {
	seeds(f, "../../testdata/manifests/multi.yaml", "../../testdata/bad/invalid-platform-objects.yaml")
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- a\n"))
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata:\n- x\n"))
	f.Add([]byte("a: &a [*a]\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "manifest.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		load(t, loader.Options{WorkDir: dir}, path)
	})
}

// FuzzChartValues: no values file makes rendering the platform's app chart panic.
func FuzzChartValues(f *testing.F) {
	seeds(f, "../../charts/app/values-primary.yaml", "../../charts/app/values-secondary.yaml")
	f.Add([]byte("image:\n  repository: [\n"))
	f.Add([]byte("replicaCount: -1\nautoscaling: null\n"))
	chart, err := filepath.Abs("../../charts/app")
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		values := filepath.Join(dir, "values.yaml")
		if err := os.WriteFile(values, data, 0o644); err != nil {
			t.Fatal(err)
		}
		load(t, loader.Options{Values: []string{values}, WorkDir: dir}, chart)
	})
}
