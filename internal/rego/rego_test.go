package rego

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/policydir"
)

// TestPolicyUnitTests runs every *_test.rego of the policy library through
// OPA's Go test runner: each Rego test is a subtest here.
func TestPolicyUnitTests(t *testing.T) {
	results, err := RunTests(context.Background(), []string{"../../policies"})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) < 20 {
		t.Fatalf("only %d Rego tests found", len(results))
	}
	for _, r := range results {
		t.Run(r.Package+"."+r.Name, func(t *testing.T) {
			if r.Error != nil {
				t.Fatalf("%s: %v", r.Location, r.Error)
			}
			if r.Fail {
				t.Fatalf("%s: failed", r.Location)
			}
		})
	}
}

// Every policy of the library has at least one passing and one failing test case.
func TestEveryPolicyHasTests(t *testing.T) {
	e, err := Load(context.Background(), policydir.OnDisk("../../policies"), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	results, err := RunTests(context.Background(), []string{"../../policies"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range e.Policies() {
		var pass, fail bool
		for _, r := range results {
			if r.Package != p.Name+"_test" {
				continue
			}
			pass = pass || strings.Contains(r.Name, "pass")
			fail = fail || strings.Contains(r.Name, "fail") || strings.Contains(r.Name, "warn")
		}
		if !pass || !fail {
			t.Errorf("%s (%s): want a passing and a failing test case in package %s_test", p.ID, p.File, p.Name)
		}
	}
}

func writePolicy(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const goodPolicy = `# METADATA
# title: No public buckets
# description: Buckets are private.
# custom:
#   id: T-001
#   severity: medium
#   controls: ["X 1.1"]
package guard.terraform.t

deny contains {"msg": sprintf("%s is public", [r.address]), "resource": r.id} if {
	some r in input.terraform.resources
	r.values.public == true
}

warn contains "a plain string warning" if {
	count(input.kubernetes.objects) > 0
}
`

func TestEvaluate(t *testing.T) {
	dir := writePolicy(t, map[string]string{"t.rego": goodPolicy})
	e, err := Load(context.Background(), policydir.OnDisk(dir), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := e.Policies()
	if len(ps) != 1 || ps[0].ID != "T-001" || ps[0].Severity != finding.Medium || ps[0].Title != "No public buckets" || ps[0].Controls[0] != "X 1.1" {
		t.Fatalf("policies: %+v", ps)
	}
	in := &input.Input{
		Terraform: input.Terraform{Resources: []input.Resource{
			{Address: "b.one", Stack: "s", Mode: "managed", Values: map[string]any{"public": true}, Source: input.Source{File: "main.tf", Line: 7}},
			{Address: "b.two", Stack: "s", Mode: "managed", Values: map[string]any{"public": false}},
		}},
		Kubernetes: input.Kubernetes{Objects: []input.Object{{Object: map[string]any{"kind": "Pod", "metadata": map[string]any{"name": "p"}}}}},
	}
	in.Finalize()
	fs, err := e.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	finding.Sort(fs)
	if len(fs) != 2 {
		t.Fatalf("findings: %+v", fs)
	}
	deny := fs[1]
	if deny.Level != finding.Deny || deny.Resource != "b.one" || deny.File != "main.tf" || deny.Line != 7 || deny.Message != "b.one is public" {
		t.Errorf("deny finding: %+v", deny)
	}
	if warn := fs[0]; warn.Level != finding.Warn || warn.Message != "a plain string warning" || warn.Fails(finding.Low) {
		t.Errorf("warn finding: %+v", warn)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"syntax", "package x\n\ndeny contains msg if {\n  msg := \n}\n", "p.rego:5: rego_parse_error: unexpected } token"},
		{"no id", "# METADATA\n# custom:\n#   severity: LOW\npackage x\n\ndeny contains \"m\" if true\n", "p.rego:4: policy data.x has no custom.id"},
		{"no severity", "# METADATA\n# custom:\n#   id: X-1\npackage x\n\ndeny contains \"m\" if true\n", "has no valid custom.severity"},
		{"bad severity", "# METADATA\n# custom:\n#   id: X-1\n#   severity: urgent\npackage x\n\ndeny contains \"m\" if true\n", "has no valid custom.severity"},
		{"compile", "# METADATA\n# custom:\n#   id: X-1\n#   severity: LOW\npackage x\n\ndeny contains msg if {\n  msg := undefined_fn(1)\n}\n", "p.rego:8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writePolicy(t, map[string]string{"p.rego": tt.src})
			_, err := Load(context.Background(), policydir.OnDisk(dir), nil, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if _, ok := err.(*Error); !ok {
				t.Errorf("error type %T", err)
			}
		})
	}
}

func TestBadResults(t *testing.T) {
	src := "# METADATA\n# custom:\n#   id: X-1\n#   severity: LOW\npackage x\n\ndeny contains {\"resource\": \"r\"} if true\n"
	e, err := Load(context.Background(), policydir.OnDisk(writePolicy(t, map[string]string{"p.rego": src})), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := &input.Input{}
	in.Finalize()
	if _, err := e.Evaluate(context.Background(), in); err == nil || !strings.Contains(err.Error(), "must have a string msg") {
		t.Errorf("error %v", err)
	}
}
