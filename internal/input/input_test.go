package input

import (
	"slices"
	"testing"
)

func object(kind, namespace, name string) Object {
	meta := map[string]any{"name": name}
	if namespace != "" {
		meta["namespace"] = namespace
	}
	return Object{Object: map[string]any{"apiVersion": "v1", "kind": kind, "metadata": meta}}
}

// Finalize gives every item an ID that does not depend on the order files
// were read in: stacks prefix resources only when there are several, a
// release prefixes its objects, and repeats get #2, #3.
func TestFinalize(t *testing.T) {
	in := &Input{}
	in.Merge(&Input{Terraform: Terraform{Resources: []Resource{
		{Address: "google_container_cluster.b", Type: "google_container_cluster", Stack: "base"},
		{Address: "helm_release.app", Type: "helm_release", Stack: "app"},
	}}})
	app := object("Deployment", "app", "web")
	app.Release = &Release{Name: "app", Chart: "charts/app", Stack: "app", Resource: "helm_release.app"}
	in.Merge(&Input{Kubernetes: Kubernetes{Objects: []Object{
		object("ConfigMap", "", "c"), object("Namespace", "", "team"), app, object("ConfigMap", "", "c"),
	}}})
	in.Finalize()
	var ids []string
	for _, r := range in.Terraform.Resources {
		ids = append(ids, r.ID)
		if r.Values == nil || r.Unknown == nil || r.Sensitive == nil || r.References == nil {
			t.Errorf("%s: nil values or mirrors", r.ID)
		}
	}
	for _, o := range in.Kubernetes.Objects {
		ids = append(ids, o.ID)
	}
	want := []string{"app:helm_release.app", "base:google_container_cluster.b",
		"ConfigMap/c", "ConfigMap/c#2", "Namespace/team", "app:helm_release.app:Deployment/app/web"}
	if !slices.Equal(ids, want) {
		t.Errorf("ids %q, want %q", ids, want)
	}
	if got := in.Kubernetes.ByKind["ConfigMap"]; !slices.Equal(got, []int{0, 1}) {
		t.Errorf("by kind %v", got)
	}
	if got := in.Terraform.ByType["helm_release"]; !slices.Equal(got, []int{0}) {
		t.Errorf("by type %v", got)
	}
}

// A finding names an item by its ID or, when unambiguous, by its address or
// kind/namespace/name; an ambiguous short name finds nothing.
func TestIndex(t *testing.T) {
	a := object("Service", "web", "svc")
	a.Release, a.Source = &Release{Chart: "charts/a"}, Source{File: "a.yaml", Line: 3}
	b := object("Service", "web", "svc")
	b.Release, b.Source = &Release{Chart: "charts/b"}, Source{File: "b.yaml", Line: 5}
	c := object("Pod", "web", "p")
	c.Source = Source{File: "p.yaml", Line: 7}
	in := &Input{
		Terraform:  Terraform{Resources: []Resource{{Address: "google_compute_network.vpc", Source: Source{File: "net.tf", Line: 2}}}},
		Kubernetes: Kubernetes{Objects: []Object{a, b, c}},
	}
	in.Finalize()
	ix := NewIndex(in)
	for name, want := range map[string]string{
		"google_compute_network.vpc": "net.tf", "charts/a:Service/web/svc": "a.yaml",
		"charts/b:Service/web/svc": "b.yaml", "Pod/web/p": "p.yaml", "Service/web/svc": "",
	} {
		s, ok := ix.Source(name)
		if ok != (want != "") || s.File != want {
			t.Errorf("%s: %+v %v, want %q", name, s, ok, want)
		}
	}
}

// The API server puts a namespaced object without a namespace in
// "default", and a cluster-scoped one in none.
func TestAdmissionNamespace(t *testing.T) {
	for _, tt := range []struct {
		o    Object
		want string
	}{
		{object("Pod", "", "p"), "default"},
		{object("Pod", "team", "p"), "team"},
		{object("ClusterRole", "", "r"), ""},
		{object("Namespace", "", "team"), ""},
	} {
		if got := tt.o.AdmissionNamespace(); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.o.Kind(), tt.o.Name(), got, tt.want)
		}
	}
}
