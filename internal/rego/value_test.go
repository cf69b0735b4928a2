package rego

import (
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/acme/guard/internal/loader"
)

// The direct conversion gives exactly what OPA's own conversion of the
// input model (through its JSON encoding) gives.
func TestInputValue(t *testing.T) {
	l, err := loader.New(loader.Options{WorkDir: "../..", Sources: []string{"../../testdata/reference/base"}})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, p := range []string{"testdata/plans/base-default-sa.json", "testdata/reference/app", "testdata/manifests", "testdata/hcl/fixture"} {
		paths = append(paths, filepath.Join("../..", p))
	}
	in, err := l.Load(paths)
	if err != nil {
		t.Fatal(err)
	}
	viaJSON, err := ast.InterfaceToValue(in)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := inputValue(in, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range in.Terraform.Resources {
		if r.Values != nil || r.Unknown != nil {
			t.Fatalf("%s: values not handed over to OPA", r.Address)
		}
	}
	if direct.Compare(viaJSON) != 0 {
		t.Fatalf("the direct conversion differs from OPA's:\n%v\n%v", direct, viaJSON)
	}
	if len(in.Terraform.Resources) == 0 || len(in.Kubernetes.Objects) == 0 {
		t.Fatal("the test input needs both layers")
	}
}
