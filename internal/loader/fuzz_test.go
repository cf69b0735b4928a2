package loader

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/acme/guard/internal/limits"
)

var fuzzLimits = limits.Limits{FileSize: 1 << 20, Depth: 100, Documents: 1000, ModuleDepth: 4, Instances: 100}

// FuzzManifests: no YAML stream makes manifest decoding panic.
func FuzzManifests(f *testing.F) {
	for _, seed := range []string{"../../testdata/manifests/multi.yaml", "../../testdata/bad/invalid-platform-objects.yaml", "../../policies/kyverno/restricted-pod-security/policy.yaml"} {
		data, err := os.ReadFile(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n- a\n"))
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata:\n- x\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, mode := range []manifestMode{walked, named, fromTemplate} {
			_, _ = decodeManifests("fuzz.yaml", data, mode, fuzzLimits)
		}
	})
}

// FuzzChartValues: no values file makes rendering the platform's app chart panic.
func FuzzChartValues(f *testing.F) {
	for _, seed := range []string{"../../charts/app/values.yaml", "../../charts/app/values-primary.yaml"} {
		data, err := os.ReadFile(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
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
		l, err := New(Options{Values: []string{values}, Limits: fuzzLimits, WorkDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = l.loadChart(chart)
	})
}
