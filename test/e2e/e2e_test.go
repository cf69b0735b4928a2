package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
		// The control plane this run starts ends with it, even if a test panics.
		cluster.DieWithParent = true
		var namespaces []*unstructured.Unstructured
		if _, namespaces, err = SuiteSubjects(PolicyDirs(root)...); err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 2
		}
		start := time.Now()
		namespaces = append(namespaces, VariantNamespaces()...)
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
	policyDirs := PolicyDirs(root)
	suites, suiteNamespaces, err := SuiteSubjects(policyDirs...)
	if err != nil {
		t.Fatal(err)
	}
	generated, err := VariantSubjects(chart)
	if err != nil {
		t.Fatal(err)
	}
	// The GitOps delivery's Argo CD objects, as committed.
	var gitops []Subject
	argocd, err := cluster.ReadDir(filepath.Join(root, "deploy", "argocd"))
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range argocd {
		gitops = append(gitops, Subject{Group: "deploy/argocd", Object: obj})
	}
	names := ensureNamespaces(t, slices.Concat(chartNamespaces, suiteNamespaces, VariantNamespaces()))
	names = append(names, "kyverno", "default", "kube-system")
	subjects := slices.Concat(chart, gitops, suites, generated)
	// Kyverno reports a policy's webhook configured a moment before the
	// apiserver calls it: wait until a generated violation is denied.
	waitVerdict(t, generated[len(generated)-1], false)

	rows, err := Submit(context.Background(), cl, subjects)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(guard, root, policyDirs, t.TempDir(), namespaceObjects(t, names...), rows); err != nil {
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
		case (strings.HasPrefix(r.Group, "chart/") || r.Group == "deploy/argocd") && !r.Cluster.Admitted:
			t.Errorf("%s %s: the clean chart must be admitted: %s", r.Group, r.Name, r.Cluster.Message)
		}
		if !r.Cluster.Admitted {
			counts[r.Group]++
		}
	}
	// The suite must have exercised denials, not only admissions.
	denials := 0
	for _, v := range variants {
		if v.deniedBy != "" {
			denials++
		}
	}
	if counts["variants"] < denials {
		t.Errorf("only %d generated violations were denied, want at least %d", counts["variants"], denials)
	}
}

// divergentException excepts the Deployment "divergent" from
// trusted-registries, in the form both sides read.
const divergentException = `apiVersion: policies.kyverno.io/v1
kind: PolicyException
metadata:
  name: e2e-divergent
  namespace: kyverno
  annotations:
    guard.acme.example/owner: e2e@acme.example
    guard.acme.example/reason: Known to one side only, to prove the suite notices.
spec:
  expiresAt: "2099-01-01T00:00:00Z"
  policyRefs:
    - name: trusted-registries
      kind: ValidatingPolicy
  matchConditions:
    - name: divergent
      expression: "object.metadata.name.startsWith('divergent')"
`

// divergentSubjects are a Deployment (and its pod) that only the
// exception above lets through.
func divergentSubjects(t *testing.T) []Subject {
	t.Helper()
	chart, _, err := ChartSubjects(guard, root)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range chart {
		if s.Group == "chart/primary" && s.Object.GetKind() == "Deployment" {
			d := s.Object.DeepCopy()
			d.SetName("divergent")
			pod, _, _ := unstructured.NestedMap(d.Object, "spec", "template", "spec")
			firstContainer(pod)["image"] = "docker.io/library/nginx:1.27"
			if err := unstructured.SetNestedMap(d.Object, pod, "spec", "template", "spec"); err != nil {
				t.Fatal(err)
			}
			return []Subject{{Group: "divergent", Object: d}, {Group: "divergent", Object: PodOf(d)}}
		}
	}
	t.Fatal("the chart renders no Deployment")
	return nil
}

// parity runs both sides on subjects, guard with policyDirs (and guardArgs).
func parity(t *testing.T, subjects []Subject, policyDirs []string, guardArgs ...string) []Row {
	t.Helper()
	rows, err := Submit(context.Background(), cl, subjects)
	if err != nil {
		t.Fatal(err)
	}
	var namespaces []string
	for _, s := range subjects {
		if ns := s.Object.GetNamespace(); ns != "" && !slices.Contains(namespaces, ns) { // "": cluster-scoped
			namespaces = append(namespaces, ns)
		}
	}
	if err := Check(guard, root, policyDirs, t.TempDir(), namespaceObjects(t, namespaces...), rows, guardArgs...); err != nil {
		t.Fatal(err)
	}
	return rows
}

// wantMismatch asserts that the comparison caught the divergence, in the
// direction expected, for every subject.
func wantMismatch(t *testing.T, rows []Row, clusterAdmits bool) {
	t.Helper()
	for _, r := range rows {
		if r.Match {
			t.Errorf("%s: a divergent pair compared equal (cluster %s, guard %s)", r.Name, r.Cluster, r.Guard)
		}
		if r.Cluster.Admitted != clusterAdmits {
			t.Errorf("%s: cluster %s, want %s", r.Name, r.Cluster, word(clusterAdmits))
		}
	}
}

// TestDivergenceIsCaught shows that the parity check fails when the two
// sides disagree: an exception known only to the cluster, then only to guard.
func TestDivergenceIsCaught(t *testing.T) {
	ctx := context.Background()
	subjects := divergentSubjects(t)
	policyDirs := PolicyDirs(root)

	t.Run("exception only in the cluster", func(t *testing.T) {
		exc, err := cluster.YAML(divergentException)
		if err != nil {
			t.Fatal(err)
		}
		if err := cl.Apply(ctx, "kyverno", exc); err != nil {
			t.Fatal(err)
		}
		excClient := cl.Dynamic.Resource(schema.GroupVersionResource{Group: "policies.kyverno.io", Version: "v1", Resource: "policyexceptions"}).Namespace("kyverno")
		t.Cleanup(func() {
			if err := excClient.Delete(ctx, exc.GetName(), metav1.DeleteOptions{}); err != nil {
				t.Error(err)
			}
			waitVerdict(t, subjects[0], false)
		})
		waitVerdict(t, subjects[0], true)
		wantMismatch(t, parity(t, subjects, policyDirs), true)
	})

	t.Run("exception only in guard", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "e2e-divergent.yaml"), []byte(divergentException), 0o644); err != nil {
			t.Fatal(err)
		}
		wantMismatch(t, parity(t, subjects, append(policyDirs, dir)), false)
	})
}

// waitVerdict waits for Kyverno to pick up an exception change: until the
// cluster admits (or denies) s.
func waitVerdict(t *testing.T, s Subject, admitted bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		v, err := cl.DryRunCreate(context.Background(), s.Object)
		if err != nil {
			t.Fatal(err)
		}
		if v.Admitted == admitted {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %s after a minute: %s", s.Key(), word(v.Admitted), v.Message)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestPlatformChartsParity: the base stack's repository charts as they
// deploy (Kyverno, and kube-prometheus-stack with the stack's values and the
// platform's exceptions), rendered by guard from their archives: the cluster
// and guard agree on every object and pod, and the monitoring release is
// admitted. Needs ../shared/charts (CI has it).
func TestPlatformChartsParity(t *testing.T) {
	if !sharedChartsPresent(root) {
		t.Skipf("needs the base stack's repository charts in %s (CI has them)", SharedCharts(root))
	}
	subjects, crds, err := PlatformChartSubjects(guard, root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := cl.Apply(ctx, "", crds...); err != nil {
		t.Fatal(err)
	}
	if err := cl.WaitEstablished(ctx, crds); err != nil {
		t.Fatal(err)
	}
	// The releases' namespaces, as the stack creates them first
	// (charts/platform-namespaces: monitoring restricted, node-exporter
	// privileged), labels and all.
	var namespaces []*unstructured.Unstructured
	for _, s := range subjects {
		if s.Object.GetKind() == "Namespace" {
			namespaces = append(namespaces, s.Object.DeepCopy())
		}
	}
	if len(namespaces) < 2 {
		t.Fatalf("the base stack renders %d namespaces for its releases, want monitoring and node-exporter", len(namespaces))
	}
	if err := cl.Apply(ctx, "", namespaces...); err != nil {
		t.Fatal(err)
	}
	rows := parity(t, subjects, PolicyDirs(root))
	admitted := 0
	for _, r := range rows {
		switch {
		case !r.Match:
			t.Errorf("%s %s: %s\n  cluster: %s\n  guard:   %s", r.Group, r.Name, r.Mismatch, r.Cluster.Message, r.Guard)
		case !r.Cluster.Admitted:
			t.Errorf("%s %s: the platform's releases must be admitted: %s", r.Group, r.Name, r.Cluster.Message)
		default:
			admitted++
		}
	}
	t.Logf("%d objects of the Kyverno and monitoring releases, %d admitted on both sides", len(rows), admitted)
	if len(rows) < 100 {
		t.Errorf("only %d objects rendered from the base stack's repository charts", len(rows))
	}
}

// TestParameterParity: a non-default parameter takes effect on both sides.
// The cluster's trusted-registries policy is replaced by the one Helm
// renders from the policies chart with another trusted registry, and guard
// checks with the same parameters file: a pod from the platform's registry
// is denied on both sides, one from the other registry admitted.
func TestParameterParity(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const other = "registry.example.org/other/"
	params := filepath.Join(dir, "parameters.yaml")
	platform, err := os.ReadFile(filepath.Join(root, "platform", "parameters.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// The platform's parameters, with another trusted registry.
	if err := os.WriteFile(params, append(platform, []byte("\ntrustedRegistries: ["+other+"]\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	render := func(valuesFile string) *unstructured.Unstructured {
		t.Helper()
		cmd := exec.Command(filepath.Join(root, ".cache", "bin", "helm"), "template", "guard-policies", filepath.Join(root, "policies"),
			"--namespace", "kyverno", "-f", valuesFile, "--show-only", "templates/policies.yaml")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("helm template: %v", err)
		}
		rendered := filepath.Join(t.TempDir(), "policies.yaml")
		if err := os.WriteFile(rendered, out, 0o644); err != nil {
			t.Fatal(err)
		}
		objs, err := cluster.ReadObjects(rendered)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			if o.GetName() == "trusted-registries" {
				return o
			}
		}
		t.Fatal("helm template renders no trusted-registries policy")
		return nil
	}
	ours := divergentSubjects(t)[0].Object.DeepCopy()
	ours.SetName("parameter-ours")
	spec, _, _ := unstructured.NestedMap(ours.Object, "spec", "template", "spec")
	firstContainer(spec)["image"] = "europe-docker.pkg.dev/acme-platform-prod/prod-images/app:1.0.0"
	if err := unstructured.SetNestedMap(ours.Object, spec, "spec", "template", "spec"); err != nil {
		t.Fatal(err)
	}
	theirs := ours.DeepCopy()
	theirs.SetName("parameter-theirs")
	spec, _, _ = unstructured.NestedMap(theirs.Object, "spec", "template", "spec")
	firstContainer(spec)["image"] = other + "app:1.0.0"
	if err := unstructured.SetNestedMap(theirs.Object, spec, "spec", "template", "spec"); err != nil {
		t.Fatal(err)
	}
	subjects := []Subject{
		{Group: "parameter", Object: ours}, {Group: "parameter", Object: PodOf(ours)},
		{Group: "parameter", Object: theirs}, {Group: "parameter", Object: PodOf(theirs)},
	}

	if err := cl.Apply(ctx, "", render(params)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cl.Apply(ctx, "", render(filepath.Join(root, "platform", "parameters.yaml"))); err != nil {
			t.Error(err)
		}
		waitVerdict(t, subjects[0], true)
	})
	waitVerdict(t, subjects[2], true)
	rows := parity(t, subjects, PolicyDirs(root), "--parameters", params)
	for _, r := range rows {
		if !r.Match {
			t.Errorf("%s: %s", r.Name, r.Mismatch)
		}
		if ourImage := strings.Contains(r.Name, "parameter-ours"); r.Cluster.Admitted == ourImage {
			t.Errorf("%s: cluster %s with %s the only trusted registry", r.Name, word(r.Cluster.Admitted), other)
		}
	}
}
