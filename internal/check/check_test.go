package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/loader"
)

const root = "../.."

// referenceRun checks every reference plan at once, with the stacks' sources
// (for locations) and the app chart (rendered per region).
func referenceRun() Options {
	plans, _ := filepath.Glob(filepath.Join(root, "testdata/plans/base*.json"))
	return Options{
		Paths:      plans,
		PolicyDirs: []string{filepath.Join(root, "policies")},
		Threshold:  finding.Low,
		Loader:     loader.Options{Sources: []string{filepath.Join(root, "testdata/reference/base")}, WorkDir: root},
	}
}

func TestRunReferencePlans(t *testing.T) {
	res, err := Run(context.Background(), referenceRun())
	if err != nil {
		t.Fatal(err)
	}
	byPolicy := map[string]int{}
	for _, f := range res.Report.Findings {
		byPolicy[f.PolicyID]++
	}
	// GKE-020: warnings; no plan sets database_encryption, which the
	// provider plans as known only after apply.
	want := map[string]int{"GKE-002": 1, "GKE-003": 2, "GKE-004": 2, "GKE-005": 2, "GKE-006": 1, "IAM-001": 1, "IAM-002": 1, "GKE-020": 14}
	if len(byPolicy) != len(want) {
		t.Errorf("findings per policy %v, want %v", byPolicy, want)
	}
	for id, n := range want {
		if byPolicy[id] != n {
			t.Errorf("%s: %d findings, want %d", id, byPolicy[id], n)
		}
	}
	if res.Report.Resources != 7*21+1 {
		t.Errorf("%d resources checked", res.Report.Resources)
	}
}

func TestLoadPoliciesErrors(t *testing.T) {
	if _, err := LoadPolicies(context.Background(), []string{filepath.Join(root, "testdata/nope")}, EngineOptions{}); err == nil {
		t.Error("a missing policy directory must be an error")
	}
	if _, err := LoadPolicies(context.Background(), []string{filepath.Join(root, "testdata/manifests")}, EngineOptions{}); err == nil {
		t.Error("a directory without policies must be an error, not an empty pass")
	}
}

// BenchmarkReferencePlans measures one full check (load, evaluate) of the
// seven reference base plans and the app stack with its two rendered releases.
func BenchmarkReferencePlans(b *testing.B) {
	opts := referenceRun()
	opts.Paths = append(opts.Paths, filepath.Join(root, "testdata/reference/app"))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate measures evaluation alone, policies compiled and input loaded once.
func BenchmarkEvaluate(b *testing.B) {
	opts := referenceRun()
	engine, err := LoadPolicies(context.Background(), opts.PolicyDirs, EngineOptions{})
	if err != nil {
		b.Fatal(err)
	}
	in, _, _, err := LoadInput(context.Background(), opts.Paths, opts.Loader, opts.PolicyDirs)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := engine.Evaluate(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// An exception naming a Rego policy that is not loaded is a typo when Rego
// policies are loaded, and cannot be told from one when none are (the
// Kyverno policies alone, as the admission parity suite checks them).
func TestExceptionRegoRefs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.yaml"), []byte(`apiVersion: policies.kyverno.io/v1
kind: PolicyException
metadata:
  name: x
  namespace: kyverno
spec:
  policyRefs:
    - name: STK-999
      kind: RegoPolicy
  matchConditions:
    - name: any
      expression: "true"
`), 0o644); err != nil {
		t.Fatal(err)
	}
	kyvernoOnly := []string{filepath.Join(root, "policies", "kyverno"), dir}
	if _, err := LoadPolicies(context.Background(), kyvernoOnly, EngineOptions{}); err != nil {
		t.Errorf("Kyverno policies alone: %v", err)
	}
	both := []string{filepath.Join(root, "policies"), dir}
	if _, err := LoadPolicies(context.Background(), both, EngineOptions{}); err == nil || !strings.Contains(err.Error(), "refers to Rego policy STK-999, which is not loaded") {
		t.Errorf("with the Rego policies: %v", err)
	}
}

// An exception to a Rego finding matches the Terraform resource's values,
// which the Rego engine hands over to OPA while it converts the input: the
// values of the resources such findings name come back for the exception.
func TestRegoExceptionReadsValues(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "abac.yaml"), []byte(`apiVersion: policies.kyverno.io/v1
kind: PolicyException
metadata:
  name: abac-secondary
  namespace: kyverno
spec:
  policyRefs:
    - name: GKE-004
      kind: RegoPolicy
  matchConditions:
    - name: abac-on-secondary
      expression: "object.values.enable_legacy_abac == true && object.values.name.endsWith('secondary-gke')"
`), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := referenceRun()
	opts.Paths = []string{filepath.Join(root, "testdata/plans/base-legacy-abac.json")}
	opts.PolicyDirs = append(opts.PolicyDirs, dir)
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var waived, failing []string
	for _, f := range res.Report.Findings {
		if f.PolicyID != "GKE-004" {
			continue
		}
		if f.Waived {
			waived = append(waived, f.Resource)
		} else {
			failing = append(failing, f.Resource)
		}
	}
	if len(waived) != 1 || !strings.Contains(waived[0], "secondary") || len(failing) != 1 || strings.Contains(failing[0], "secondary") {
		t.Errorf("GKE-004 waived %v, failing %v; want the secondary cluster's waived, the primary's failing", waived, failing)
	}
}
