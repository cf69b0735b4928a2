package kyverno

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acme/guard/internal/exception"
	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/loader"
	"github.com/acme/guard/internal/manifest"
	"github.com/acme/guard/internal/parameters"
	"github.com/acme/guard/internal/policydir"
)

const root = "../.."

var (
	policyDir = filepath.Join(root, "policies/kyverno")
	// chartDir is the library as a chart (guard-policies), its policies
	// rendered with parameters.
	chartDir = filepath.Join(root, "policies")
)

// noVolumes are the library's parameters with every volume forbidden (this
// platform's choice), which the exceptions below are about.
func noVolumes(t *testing.T) *parameters.Set {
	t.Helper()
	s, err := parameters.Load(policydir.OnDisk(chartDir), parameters.Input{Values: map[string]any{"allowedVolumeTypes": []any{}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func loadInput(t *testing.T, paths ...string) *input.Input {
	t.Helper()
	l, err := loader.New(loader.Options{WorkDir: root})
	if err != nil {
		t.Fatal(err)
	}
	full := make([]string, len(paths))
	for i, p := range paths {
		full[i] = filepath.Join(root, p)
	}
	in, err := l.Load(context.Background(), full)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func objectsOf(t *testing.T, yaml string) *input.Input {
	t.Helper()
	objs, err := manifest.Decode("test.yaml", []byte(yaml), manifest.Walked, limits.Default)
	if err != nil {
		t.Fatal(err)
	}
	in := &input.Input{Kubernetes: input.Kubernetes{Objects: objs}}
	in.Finalize()
	return in
}

func byPolicy(fs []finding.Finding) map[string][]finding.Finding {
	out := map[string][]finding.Finding{}
	for _, f := range fs {
		out[f.PolicyID] = append(out[f.PolicyID], f)
	}
	return out
}

const privilegedDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: web
          image: europe-docker.pkg.dev/acme-platform-prod/prod-images/web:1.0
          resources: {requests: {cpu: 1, memory: 1Gi}, limits: {cpu: 1, memory: 1Gi}}
          securityContext: {privileged: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`

// An object whose Namespace manifest is not in the input is evaluated as in
// an unlabelled namespace, which the cluster's may not be: the user is told.
func TestMissingNamespaceNoted(t *testing.T) {
	e, err := Load(policydir.OnDisk(policyDir), nil, day("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	namespace := "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n"
	for _, tt := range []struct {
		input string
		want  int
	}{
		{privilegedDeployment, 1},
		{namespace + "---" + privilegedDeployment, 0},
	} {
		notes := e.Notes(objectsOf(t, tt.input))
		if len(notes) != tt.want {
			t.Fatalf("notes %q, want %d", notes, tt.want)
		}
		for _, n := range notes {
			if !strings.Contains(n, `1 object lands in namespace "team"`) || !strings.Contains(n, "restricted-pod-security") {
				t.Errorf("note %q", n)
			}
		}
	}
}

// The namespaceSelector sees the labels of the Namespace objects in the same
// input, as admission sees the cluster's namespaces.
func TestNamespaceSelectorFromInput(t *testing.T) {
	e, err := Load(policydir.OnDisk(policyDir), nil, day("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		namespace string
		want      int
	}{
		{"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/audit: restricted\n    pod-security.kubernetes.io/warn: restricted\n", 1},
		// Baseline forbids privileged containers too (as Pod Security Admission does).
		{"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/audit: baseline\n    pod-security.kubernetes.io/warn: baseline\n", 1},
		// Fail closed: a namespace that enforces nothing (or privileged) gets
		// restricted from the policy, though Pod Security Admission admits.
		{"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels:\n    pod-security.kubernetes.io/enforce: privileged\n", 1},
	}
	for _, tt := range tests {
		fs, err := e.Evaluate(context.Background(), objectsOf(t, tt.namespace+"---"+privilegedDeployment))
		if err != nil {
			t.Fatal(err)
		}
		got := byPolicy(fs)["K8S-001"]
		if len(got) != tt.want {
			t.Errorf("namespace %q: %d K8S-001 findings, want %d: %+v", tt.namespace, len(got), tt.want, got)
		}
		for _, f := range got {
			if f.Resource != "Deployment/team/web" || f.Line != strings.Count(tt.namespace, "\n")+2 || !strings.Contains(f.Message, "Privileged containers are forbidden") {
				t.Errorf("finding %+v", f)
			}
		}
	}
}

func TestExceptions(t *testing.T) {
	exceptions := t.TempDir()
	for _, f := range []string{"app-migration-scratch-volume.yaml", "unused-exception.yaml"} {
		data, err := os.ReadFile(filepath.Join(root, "testdata/kyverno", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(exceptions, f), data, 0o644)
	}
	workloads := loadInput(t, "testdata/kyverno/workloads")
	withBatch := loadInput(t, "testdata/kyverno/workloads", "testdata/kyverno/batch")
	tests := []struct {
		now                 string
		in                  *input.Input
		waived, volumeDeny  int
		expired, unusedWarn int
	}{
		// the migration job's volume is excepted; the batch exception matches
		// nothing, and nothing in the check lands in its namespace: not stale
		{"2026-12-01", workloads, 1, 0, 0, 0},
		// with something in namespace batch, matching nothing makes it stale
		{"2026-12-01", withBatch, 1, 0, 0, 1},
		// after both expire, neither applies: the volume fails, and both files must go
		{"2027-07-01", workloads, 0, 1, 2, 0},
	}
	for _, tt := range tests {
		in := tt.in
		e, err := Load(policydir.OnDisk(chartDir, exceptions), noVolumes(t), day(tt.now))
		if err != nil {
			t.Fatal(err)
		}
		fs, err := withExceptions(e, in, day(tt.now))
		if err != nil {
			t.Fatal(err)
		}
		var waived, volumeDeny, expired, unused int
		for _, f := range fs {
			switch {
			case f.Waived && f.PolicyID == "K8S-004":
				waived++
				if !strings.Contains(f.Message, "kyverno/app-migration-scratch-volume") {
					t.Errorf("waived finding %+v", f)
				}
			case f.PolicyID == "K8S-004" && f.Fails(finding.Low):
				volumeDeny++
			case f.PolicyID == "EXC-001" && f.Fails(finding.Low):
				expired++
			case f.PolicyID == "EXC-002" && f.Level == finding.Warn:
				unused++
				if !strings.Contains(f.Message, "legacy-batch-token") {
					t.Errorf("unused finding %+v", f)
				}
			default:
				t.Errorf("unexpected finding at %s: %+v", tt.now, f)
			}
		}
		if waived != tt.waived || volumeDeny != tt.volumeDeny || expired != tt.expired || unused != tt.unusedWarn {
			t.Errorf("%s: waived %d volume %d expired %d unused %d", tt.now, waived, volumeDeny, expired, unused)
		}
	}
}

// withExceptions is the engine's findings after the exception stage, as a
// check applies it.
func withExceptions(e *Engine, in *input.Input, now time.Time) ([]finding.Finding, error) {
	fs, err := e.Evaluate(context.Background(), in)
	if err != nil {
		return nil, err
	}
	stage, err := exception.New(e.Exceptions(), now)
	if err != nil {
		return nil, err
	}
	return stage.Apply(in, fs)
}

func TestLoadErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"apiVersion: policies.kyverno.io/v1\nkind: PolicyException\nmetadata:\n  name: x\nspec:\n  policyRefs: [{name: p, kind: ValidatingPolicy}]\n",
			"x.yaml:1: PolicyException x refers to ValidatingPolicy p, which is not loaded"},
		{"apiVersion: policies.kyverno.io/v1\nkind: ValidatingPolicy\nmetadata:\n  name: p\n  annotations: {policies.kyverno.io/severity: urgent}\nspec:\n  validations: [{expression: 'true'}]\n",
			"x.yaml:1: ValidatingPolicy p: annotation policies.kyverno.io/severity is \"urgent\", want low, medium, high or critical"},
		{"apiVersion: policies.kyverno.io/v1\nkind: ValidatingPolicy\nmetadata:\n  name: p\n  annotations: {policies.kyverno.io/severity: low}\nspec:\n  matchConstraints: {resourceRules: [{apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods]}]}\n  validations: [{expression: 'object.spec.nope('}]\n",
			"x.yaml:1: ValidatingPolicy p: spec.validations[0].expression: Syntax error"},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c: d\n", "x.yaml:4: malformed YAML"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "x.yaml"), []byte(tt.doc), 0o644)
		_, err := Load(policydir.OnDisk(dir), nil, time.Now())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v, want %q", err, tt.want)
		}
	}
}

// BenchmarkDeployments evaluates the library on generated Deployments, half of
// them violating: policies compiled once, one admission request each.
func BenchmarkDeployments(b *testing.B) {
	e, err := Load(policydir.OnDisk(policyDir), nil, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	in := generateDeployments(2000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fs, err := e.Evaluate(context.Background(), in)
		if err != nil {
			b.Fatal(err)
		}
		if len(fs) != 1000 {
			b.Fatalf("%d findings, want 1000", len(fs))
		}
	}
}

// generateDeployments builds an input of n Deployments in a restricted
// namespace; every odd one runs a privileged container (one K8S-001 finding).
func generateDeployments(n int) *input.Input {
	in := &input.Input{}
	in.Kubernetes.Objects = append(in.Kubernetes.Objects, input.Object{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": "app", "labels": map[string]any{
			"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted",
		}},
	}})
	for i := 0; i < n; i++ {
		container := map[string]any{
			"name": "app", "image": "europe-docker.pkg.dev/acme-platform-prod/prod-images/app:1.4.2",
			"resources": map[string]any{
				"requests": map[string]any{"cpu": "100m", "memory": "128Mi"},
				"limits":   map[string]any{"cpu": "500m", "memory": "256Mi"},
			},
			"securityContext": map[string]any{
				"allowPrivilegeEscalation": false, "privileged": i%2 == 1, "readOnlyRootFilesystem": true,
				"capabilities": map[string]any{"drop": []any{"ALL"}},
			},
		}
		name := "app-" + strconv.Itoa(i)
		in.Kubernetes.Objects = append(in.Kubernetes.Objects, input.Object{Object: map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": map[string]any{"name": name, "namespace": "app"},
			"spec": map[string]any{
				"selector": map[string]any{"matchLabels": map[string]any{"app": name}},
				"template": map[string]any{
					"metadata": map[string]any{"labels": map[string]any{"app": name}},
					"spec": map[string]any{
						"automountServiceAccountToken": false,
						"securityContext":              map[string]any{"runAsNonRoot": true, "seccompProfile": map[string]any{"type": "RuntimeDefault"}},
						"containers":                   []any{container},
					},
				},
			},
		}})
	}
	in.Finalize()
	return in
}

// Legacy kyverno.io/v1 ClusterPolicies still run in guard check, with autogen
// (policytest runs their suite).
func TestLegacyClusterPolicy(t *testing.T) {
	e, err := Load(policydir.OnDisk(filepath.Join(root, "testdata/kyverno/legacy")), nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	fs, err := e.Evaluate(context.Background(), loadInput(t, "testdata/kyverno/legacy/resources.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range fs {
		if f.PolicyID != "LEGACY-001" || !f.Fails(finding.Low) {
			t.Errorf("finding %+v", f)
		}
		got[f.Resource] = true
	}
	if !got["Pod/team/privileged-pod"] || !got["Deployment/team/privileged-deployment"] || len(got) != 2 {
		t.Errorf("findings on %v", got)
	}
}

// A policy from elsewhere needs none of guard's annotations: its id is its
// name, its severity MEDIUM.
func TestForeignPolicyDefaults(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "p.yaml"), []byte("apiVersion: policies.kyverno.io/v1\nkind: ValidatingPolicy\nmetadata:\n  name: require-labels\nspec:\n  matchConstraints: {resourceRules: [{apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods]}]}\n  validations: [{expression: 'true'}]\n"), 0o644)
	e, err := Load(policydir.OnDisk(dir), nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ps := e.Policies()
	if len(ps) != 1 || ps[0].ID != "require-labels" || ps[0].Severity != DefaultSeverity {
		t.Errorf("policies %+v", ps)
	}
}

// TestLibraryAnnotations: the project's own policies and exceptions carry
// every annotation guard reads (policies from elsewhere need not). The
// library built into guard holds no exception: this platform's are its own
// (platform/), never applied to another repository's code.
func TestLibraryAnnotations(t *testing.T) {
	library, err := readDocuments(policydir.OnDisk("../../policies/kyverno")[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range library {
		if d.kind() == "PolicyException" {
			t.Errorf("%s:%d: an exception in the built-in library", d.file, d.line)
		}
	}
	platform, err := readDocuments(policydir.OnDisk("../../platform")[0])
	if err != nil {
		t.Fatal(err)
	}
	docs := append(library, platform...)
	policies, exceptions := 0, 0
	for _, d := range docs {
		meta, _ := d.obj["metadata"].(map[string]any)
		ann, _ := meta["annotations"].(map[string]any)
		where := fmt.Sprintf("%s:%d: %s %v", d.file, d.line, d.kind(), meta["name"])
		switch d.kind() {
		case "ValidatingPolicy", "ClusterPolicy", "Policy":
			policies++
			for _, a := range []string{AnnotationID, annotationSeverity, annotationTitle, annotationCategory, annotationDescription, annotationControls, annotationRemediation} {
				if s, _ := ann[a].(string); strings.TrimSpace(s) == "" {
					t.Errorf("%s: no annotation %s", where, a)
				}
			}
			if _, err := finding.ParseSeverity(fmt.Sprint(ann[annotationSeverity])); err != nil {
				t.Errorf("%s: severity %v", where, ann[annotationSeverity])
			}
		case "PolicyException":
			exceptions++
			spec, _ := d.obj["spec"].(map[string]any)
			for _, a := range []string{AnnotationOwner, AnnotationReason} {
				if s, _ := ann[a].(string); strings.TrimSpace(s) == "" {
					t.Errorf("%s: no annotation %s", where, a)
				}
			}
			if spec["expiresAt"] == nil {
				t.Errorf("%s: no spec.expiresAt", where)
			}
		}
	}
	if policies < 6 || exceptions < 2 {
		t.Errorf("only %d policies under policies/kyverno and %d exceptions under platform", policies, exceptions)
	}
	t.Logf("%d policies, %d exceptions", policies, exceptions)
}

// An exception spares what it matches, but a finding is waived only where
// the policy would otherwise deny, and says what it would deny: an object
// the exception matches that passes anyway is no finding at all.
func TestWaivedOnlyWhereThePolicyWouldDeny(t *testing.T) {
	exceptions := t.TempDir()
	data, err := os.ReadFile(filepath.Join(root, "testdata/kyverno/app-migration-scratch-volume.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(exceptions, "x.yaml"), data, 0o644)
	e, err := Load(policydir.OnDisk(chartDir, exceptions), noVolumes(t), day("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	job := func(name, volumes string) string {
		return `apiVersion: batch/v1
kind: Job
metadata: {name: ` + name + `, namespace: platform-app, labels: {app.kubernetes.io/component: migration}}
spec:
  template:
    metadata: {labels: {app.kubernetes.io/component: migration}}
    spec:
      restartPolicy: Never
      containers: [{name: m, image: europe-docker.pkg.dev/acme-platform-prod/prod-images/migrate:1.0}]
` + volumes
	}
	in := objectsOf(t, job("with-scratch", "      volumes: [{name: scratch, emptyDir: {}}]\n")+"---\n"+job("without-volumes", ""))
	fs, err := withExceptions(e, in, day("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	var waived []finding.Finding
	for _, f := range fs {
		if f.PolicyID == "K8S-004" {
			waived = append(waived, f)
		}
	}
	if len(waived) != 1 || !waived[0].Waived || waived[0].Resource != "Job/platform-app/with-scratch" ||
		!strings.Contains(waived[0].Message, "scratch") || !strings.HasSuffix(waived[0].Message, "(excepted by PolicyException kyverno/app-migration-scratch-volume)") {
		t.Errorf("K8S-004 findings %+v, want one waived on with-scratch saying what it would deny", waived)
	}
}

// A field written with nothing under it is no field, as the API server
// stores the object: Kyverno at admission never meets the null, so no
// policy may fail to evaluate on it (K8S-010 on a ConfigMap whose data
// range renders nothing, K8S-001 on an unset envFrom).
func TestNullFieldsAreNotThere(t *testing.T) {
	e, err := Load(policydir.OnDisk(policyDir), nil, day("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	in := objectsOf(t, `apiVersion: v1
kind: ConfigMap
metadata: {name: empty, namespace: team}
data:
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: team}
spec:
  containers:
    - name: c
      image: europe-docker.pkg.dev/acme-platform-prod/prod-images/app:1.0
      envFrom:
`)
	fs, err := e.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.PolicyID == "K8S-010" || strings.Contains(f.Message, "could not be evaluated") {
			t.Errorf("finding %s: %s", f.PolicyID, f.Message)
		}
	}
}

// The suites test the library's defaults; with other parameters, what they
// let pass is denied: an untrusted registry, any volume, a token of the pod's
// own account; in a namespace of stateless services, any volume or token.
func TestParametersChangeVerdicts(t *testing.T) {
	strict, err := parameters.Load(policydir.OnDisk(chartDir), parameters.Input{Values: map[string]any{
		"trustedRegistries":    []any{"europe-docker.pkg.dev/acme-platform-prod/prod-images/"},
		"allowedVolumeTypes":   []any{},
		"serviceAccountTokens": "none",
	}})
	if err != nil {
		t.Fatal(err)
	}
	stateless, err := parameters.Load(policydir.OnDisk(chartDir), parameters.Input{Values: map[string]any{"statelessNamespaces": []any{"app"}}})
	if err != nil {
		t.Fatal(err)
	}
	in := loadInput(t, "policies/kyverno/trusted-registries/resources/resources.yaml",
		"policies/kyverno/restrict-volumes/resources/resources.yaml",
		"policies/kyverno/disallow-service-account-token/resources/resources.yaml")
	for _, tt := range []struct {
		params   *parameters.Set
		denied   bool
		policy   string
		resource string
		message  string
	}{
		{nil, false, "K8S-002", "Pod/app/docker-hub-pod", ""},
		{strict, true, "K8S-002", "Pod/app/docker-hub-pod", "images must come from europe-docker.pkg.dev/acme-platform-prod/prod-images/; not: nginx:1.27"},
		{nil, false, "K8S-004", "Pod/app/empty-dir-pod", ""},
		{strict, true, "K8S-004", "Pod/app/empty-dir-pod", "volumes are not allowed (allowedVolumeTypes is empty): tmp"},
		{nil, false, "K8S-005", "Pod/app/controller-pod", ""},
		{strict, true, "K8S-005", "Pod/app/controller-pod", "serviceAccountTokens is none"},
		// The defaults elsewhere, none of it in a namespace of stateless services.
		{stateless, true, "K8S-004", "Pod/app/empty-dir-pod", "volumes are not allowed in namespace app (statelessNamespaces): tmp"},
		{stateless, true, "K8S-005", "Pod/app/controller-pod", "namespace app is for stateless services"},
		{stateless, false, "K8S-002", "Pod/app/docker-hub-pod", ""},
	} {
		dirs := policydir.OnDisk(policyDir)
		if tt.params != nil {
			dirs = policydir.OnDisk(chartDir)
		}
		e, err := Load(dirs, tt.params, day("2026-12-01"))
		if err != nil {
			t.Fatal(err)
		}
		findings, err := e.Evaluate(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		var got []finding.Finding
		for _, f := range findings {
			if f.PolicyID == tt.policy && f.Resource == tt.resource {
				got = append(got, f)
			}
		}
		if denied := len(got) > 0; denied != tt.denied || denied && !strings.Contains(got[0].Message, tt.message) {
			t.Errorf("%s on %s (parameters %t): %+v, want denied %t with %q", tt.policy, tt.resource, tt.params != nil, got, tt.denied, tt.message)
		}
	}
}

// K8S-001 names every control a pod fails, once: a node-exporter-like pod
// with host namespaces, a hostPath of / and privilege escalation is told of
// each.
func TestRestrictedNamesEveryFailingCheck(t *testing.T) {
	e, err := Load(policydir.OnDisk(policyDir), nil, day("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	in := objectsOf(t, `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-exporter, namespace: monitoring}
spec:
  selector: {matchLabels: {app: ne}}
  template:
    metadata: {labels: {app: ne}}
    spec:
      hostNetwork: true
      hostPID: true
      securityContext: {runAsNonRoot: true, runAsUser: 65534, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: node-exporter
          image: quay.io/prometheus/node-exporter:v1.9.1
          securityContext: {readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
          volumeMounts: [{name: root, mountPath: /host/root, readOnly: true}]
      volumes: [{name: root, hostPath: {path: /}}]
`)
	findings, err := e.Evaluate(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, f := range findings {
		if f.PolicyID == "K8S-001" {
			msgs = append(msgs, f.Message)
		}
	}
	if len(msgs) != 1 {
		t.Fatalf("K8S-001 findings %q, want one", msgs)
	}
	for _, want := range []string{"Privilege escalation is forbidden", "Host namespaces are forbidden", "hostPath volumes are forbidden", "Only configMap, csi"} {
		if strings.Count(msgs[0], want) != 1 {
			t.Errorf("message %q names %q %d times, want once", msgs[0], want, strings.Count(msgs[0], want))
		}
	}
	if strings.Contains(msgs[0], "Privileged containers") || strings.Contains(msgs[0], "non-root") {
		t.Errorf("message %q names a check the pod passes", msgs[0])
	}
}
