package exception

import (
	"strings"
	"testing"
	"time"

	policiesv1beta1 "github.com/kyverno/api/api/policies.kyverno.io/v1beta1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// exceptionFor is a PolicyException for the Rego policy id whose condition
// is expr, expiring on expires.
func exceptionFor(name, id, expr, expires string) Exception {
	px := &policiesv1beta1.PolicyException{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "guard", Annotations: map[string]string{AnnotationOwner: "platform", AnnotationReason: "why"}},
		Spec: policiesv1beta1.PolicyExceptionSpec{
			PolicyRefs:      []policiesv1beta1.PolicyRef{{Name: id, Kind: RegoPolicyKind}},
			MatchConditions: []admissionregistrationv1.MatchCondition{{Name: "which", Expression: expr}},
			ExpiresAt:       &metav1.Time{Time: day(expires)},
		},
	}
	return FromSpec(px, "exceptions/"+name+".yaml", 1)
}

func bastionInput() *input.Input {
	in := &input.Input{Terraform: input.Terraform{Resources: []input.Resource{
		{Address: "google_compute_instance.bastion", Type: "google_compute_instance", Values: map[string]any{"name": "bastion"}},
		{Address: "google_compute_instance.web", Type: "google_compute_instance", Values: map[string]any{"name": "web"}},
	}}}
	in.Finalize()
	return in
}

func findings() []finding.Finding {
	return []finding.Finding{
		{PolicyID: "GKE-100", Engine: "rego", Level: finding.Deny, Resource: "google_compute_instance.bastion", Message: "public IP"},
		{PolicyID: "GKE-100", Engine: "rego", Level: finding.Deny, Resource: "google_compute_instance.web", Message: "public IP"},
		{PolicyID: "K8S-001", Engine: "kyverno", Level: finding.Deny, Resource: "Pod/x/p", Message: "excepted", ExceptedBy: []string{"guard/pods"}},
	}
}

// The stage waives what an unexpired exception covers, whichever engine
// produced the finding: Rego's by the exception's conditions on the
// resource, Kyverno's as its engine matched them.
func TestApplyWaives(t *testing.T) {
	x := exceptionFor("bastion", "GKE-100", "object.values.name == 'bastion'", "2027-01-01")
	stage, err := New([]Exception{x}, day("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	if !stage.NeedsValues("GKE-100") || stage.NeedsValues("GKE-101") {
		t.Error("NeedsValues")
	}
	fs, err := stage.Apply(bastionInput(), findings())
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 3 {
		t.Fatalf("findings %+v", fs)
	}
	if !fs[0].Waived || !strings.HasSuffix(fs[0].Message, "(excepted by PolicyException guard/bastion)") {
		t.Errorf("bastion %+v", fs[0])
	}
	if fs[1].Waived {
		t.Errorf("web is waived: %+v", fs[1])
	}
	if !fs[2].Waived {
		t.Errorf("Kyverno's excepted finding is not waived: %+v", fs[2])
	}
}

// An expired exception waives nothing and fails (EXC-001); one that matched
// nothing warns (EXC-002).
func TestApplyReportsExceptions(t *testing.T) {
	expired := exceptionFor("old", "GKE-100", "object.values.name == 'bastion'", "2026-06-01")
	unused := exceptionFor("stale", "GKE-100", "object.values.name == 'gone'", "2027-01-01")
	stage, err := New([]Exception{expired, unused}, day("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := stage.Apply(bastionInput(), findings()[:2])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		if f.Waived {
			t.Errorf("waived by an expired exception: %+v", f)
		}
		if strings.HasPrefix(f.PolicyID, "EXC-") {
			got = append(got, f.PolicyID+" "+string(f.Level)+" "+f.Resource)
		}
	}
	want := "EXC-001 deny PolicyException/guard/old,EXC-002 warn PolicyException/guard/stale"
	if strings.Join(got, ",") != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if len(stage.Policies()) != 2 {
		t.Errorf("policies %+v", stage.Policies())
	}
}

// A condition CEL refuses is an error at the exception's file.
func TestNewRefusesBadConditions(t *testing.T) {
	x := exceptionFor("bad", "GKE-100", "object.values.name ==", "2027-01-01")
	_, err := New([]Exception{x}, day("2026-12-01"))
	if err == nil || !strings.HasPrefix(err.Error(), "exceptions/bad.yaml:1: PolicyException bad: matchCondition which:") {
		t.Errorf("error %v", err)
	}
	if s, err := New(nil, day("2026-12-01")); err != nil || len(s.Policies()) != 0 {
		t.Errorf("no exceptions: %v %v", s.Policies(), err)
	}
}

// An exception is reported unused (EXC-002) only when the check held
// something of the kind, apiVersion and namespace it could match: one for a
// chart's ClusterRoleBinding says nothing in a check without
// ClusterRoleBindings, whatever else (namespaced objects, Terraform) it holds.
func TestUnusedOnlyInScope(t *testing.T) {
	x := exceptionFor("operator-rbac", "RBAC-001",
		"object.?kind.orValue('') == 'ClusterRoleBinding' && object.?metadata.?name.orValue('') == 'operator'", "2027-01-01")
	binding := func(kind, ns, name string) input.Object {
		meta := map[string]any{"name": name}
		if ns != "" {
			meta["namespace"] = ns
		}
		return input.Object{Object: map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta}}
	}
	for _, tt := range []struct {
		name    string
		objects []input.Object
		unused  bool
	}{
		{"no ClusterRoleBinding", []input.Object{binding("RoleBinding", "app", "operator"), binding("Namespace", "", "app")}, false},
		{"another ClusterRoleBinding", []input.Object{binding("ClusterRoleBinding", "", "grafana")}, true},
	} {
		in := bastionInput()
		in.Kubernetes.Objects = tt.objects
		if got := reportedUnused(t, x, in); got != tt.unused {
			t.Errorf("%s: unused %v, want %v", tt.name, got, tt.unused)
		}
	}
	// An exception for one Namespace object (node-exporter's, labelled
	// privileged) is out of scope of a check holding another namespace's.
	ns := exceptionFor("node-exporter-namespace", "RBAC-001", "object.kind == 'Namespace' && object.metadata.name == 'node-exporter'", "2027-01-01")
	for _, tt := range []struct {
		namespace string
		unused    bool
	}{{"app", false}, {"node-exporter", true}} {
		in := &input.Input{}
		in.Kubernetes.Objects = []input.Object{binding("Namespace", "", tt.namespace)}
		if got := reportedUnused(t, ns, in); got != tt.unused {
			t.Errorf("Namespace %s: unused %v, want %v", tt.namespace, got, tt.unused)
		}
	}
}

// reportedUnused says whether the exception stage reports x unused (EXC-002)
// in a check of in, with no finding.
func reportedUnused(t *testing.T, x Exception, in *input.Input) bool {
	t.Helper()
	in.Finalize()
	stage, err := New([]Exception{x}, day("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := stage.Apply(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	return len(fs) == 1 && fs[0].PolicyID == "EXC-002"
}
