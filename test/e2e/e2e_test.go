package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/acme/guard/test/e2e/cluster"
)

// The suite starts its own control plane in a temporary directory, or uses
// the one `make cluster-up` left running when GUARD_E2E_CLUSTER names its
// directory (.cache/cluster).
var (
	root  string
	guard string
	cl    *cluster.Cluster
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if root, err = filepath.Abs("../.."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	tmp, err := os.MkdirTemp("", "guard-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(tmp)
	guard = filepath.Join(tmp, "guard")
	build := exec.Command("go", "build", "-o", guard, "./cmd/guard")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building guard:", err)
		return 2
	}
	ctx := context.Background()
	if dir := os.Getenv("GUARD_E2E_CLUSTER"); dir != "" {
		cl, err = cluster.Open(dir)
	} else {
		var namespaces []*unstructured.Unstructured
		if _, namespaces, err = SuiteSubjects(filepath.Join(root, "policies", "kyverno")); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 2
		}
		start := time.Now()
		cl, err = cluster.Up(ctx, root, filepath.Join(tmp, "cluster"), guard, namespaces...)
		if err == nil {
			fmt.Fprintf(os.Stderr, "e2e: control plane up in %s\n", time.Since(start).Round(100*time.Millisecond))
			defer cl.Stop()
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	return m.Run()
}

// namespaceObjects are the cluster's namespaces as guard should see them.
func namespaceObjects(t *testing.T, names ...string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	nsClient := cl.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"})
	for _, name := range names {
		got, err := nsClient.Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace"}}
		ns.SetName(name)
		ns.SetLabels(got.GetLabels())
		out = append(out, ns)
	}
	return out
}

// ensureNamespaces creates the namespaces that do not exist yet (a
// namespace's own verdict is taken separately, by dry-run).
func ensureNamespaces(t *testing.T, namespaces []*unstructured.Unstructured) []string {
	t.Helper()
	ctx := context.Background()
	nsClient := cl.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"})
	var names []string
	for _, ns := range namespaces {
		names = append(names, ns.GetName())
		if _, err := nsClient.Get(ctx, ns.GetName(), metav1.GetOptions{}); err == nil {
			continue
		}
		if err := cl.Apply(ctx, "", ns.DeepCopy()); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// TestAdmissionParity submits the chart in both regions, every Kyverno
// test resource and the generated violations to the cluster and to guard,
// and fails on any difference.
func TestAdmissionParity(t *testing.T) {
	chart, chartNamespaces, err := ChartSubjects(guard, root)
	if err != nil {
		t.Fatal(err)
	}
	policyDir := filepath.Join(root, "policies", "kyverno")
	suites, suiteNamespaces, err := SuiteSubjects(policyDir)
	if err != nil {
		t.Fatal(err)
	}
	generated, err := VariantSubjects(chart)
	if err != nil {
		t.Fatal(err)
	}
	names := ensureNamespaces(t, append(chartNamespaces, suiteNamespaces...))
	names = append(names, "kyverno", "default")
	subjects := append(append(chart, suites...), generated...)

	rows, err := Submit(context.Background(), cl, subjects)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(guard, root, policyDir, t.TempDir(), namespaceObjects(t, names...), rows); err != nil {
		t.Fatal(err)
	}
	report := NewReport(rows)
	out := filepath.Join(root, ".cache", "e2e")
	if err := report.Write(out); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d objects, %d mismatches; report in %s/admission-parity.{txt,json}", report.Objects, report.Mismatches, out)

	counts := map[string]int{}
	for _, r := range rows {
		switch {
		case !r.Match:
			t.Errorf("%s %s: %s\n  cluster: %s\n  guard:   %s", r.Group, r.Name, r.Mismatch, r.Cluster.Message, r.Guard)
		case strings.HasPrefix(r.Group, "chart/") && !r.Cluster.Admitted:
			t.Errorf("%s %s: the clean chart must be admitted: %s", r.Group, r.Name, r.Cluster.Message)
		}
		if !r.Cluster.Admitted {
			counts[r.Group]++
		}
	}
	// The suite must have exercised denials, not only admissions.
	if counts["variants"] < len(variants) {
		t.Errorf("only %d generated violations were denied, want at least %d", counts["variants"], len(variants))
	}
}
