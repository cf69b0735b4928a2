package rego

import (
	"context"
	"encoding/json"
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
	in, err := l.Load(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	viaJSON, err := ast.InterfaceToValue(in)
	if err != nil {
		t.Fatal(err)
	}
	direct, resources, err := inputValue(in)
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
	// What was handed over comes back as it was, for an exception to match.
	for i := range in.Terraform.Resources {
		r := &in.Terraform.Resources[i]
		if err := restore(r, resources[i]); err != nil {
			t.Fatal(err)
		}
		if r.Values == nil {
			t.Fatalf("%s: values not restored", r.Address)
		}
	}
	restored, err := ast.InterfaceToValue(in)
	if err != nil {
		t.Fatal(err)
	}
	if restored.Compare(viaJSON) != 0 {
		t.Fatal("the restored input differs from the input")
	}
}

// Equal values are converted to one shared term, however deep: what keeps
// the AST of a plan that repeats a module per region within memory.
func TestInternerShares(t *testing.T) {
	n := newInterner()
	doc := func() any {
		return map[string]any{"node_config": []any{map[string]any{"image_type": "COS_CONTAINERD", "disk_size_gb": json.Number("100")}}}
	}
	a, err := n.term(doc())
	if err != nil {
		t.Fatal(err)
	}
	b, err := n.term(doc())
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatal("equal objects were not shared")
	}
	other, err := n.term(map[string]any{"node_config": []any{map[string]any{"image_type": "UBUNTU_CONTAINERD", "disk_size_gb": json.Number("100")}}})
	if err != nil {
		t.Fatal(err)
	}
	if other == a || other.Value.Compare(a.Value) == 0 {
		t.Fatal("different objects were shared")
	}
	// An array and an object of the same parts are different values.
	arr, _ := n.term([]any{"k", "v"})
	obj, _ := n.term(map[string]any{"k": "v"})
	if arr == obj {
		t.Fatal("an array was shared with an object")
	}
	want, _ := ast.InterfaceToValue(doc())
	if a.Value.Compare(want) != 0 {
		t.Fatalf("interned %v, want %v", a.Value, want)
	}
}
