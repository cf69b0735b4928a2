package loader

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/testtree"
)

// walk loads dir as `guard check` run inside it does, and returns the notes too.
func walk(t *testing.T, dir string) (*input.Input, []string) {
	t.Helper()
	l, err := New(Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	in, err := l.Load(context.Background(), []string{dir})
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return in, l.Notes()
}

func addresses(in *input.Input) []string {
	var out []string
	for _, r := range in.Terraform.Resources {
		out = append(out, r.Address)
	}
	slices.Sort(out)
	return out
}

func objectFiles(in *input.Input) []string {
	var out []string
	for _, o := range in.Kubernetes.Objects {
		out = append(out, o.Source.File)
	}
	slices.Sort(out)
	return out
}

const bucket = `resource "google_storage_bucket" "b" {
  name     = "x"
  location = "EU"
}
`

const pod = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: nginx:latest
`

// A directory of Terraform files is no reason to stop walking: manifests
// beside it and below it are read (they were silently skipped before).
func TestWalkReadsManifestsBesideAndBelowTerraform(t *testing.T) {
	dir := testtree.Write(t, map[string]string{
		"main.tf":          bucket,
		"pod.yaml":         pod,
		"sub/pod.yaml":     pod,
		"sub/deep/pod.yml": pod,
	})
	in, _ := walk(t, dir)
	if got := addresses(in); !slices.Equal(got, []string{"google_storage_bucket.b"}) {
		t.Errorf("resources %v", got)
	}
	if got, want := objectFiles(in), []string{"pod.yaml", "sub/deep/pod.yml", "sub/pod.yaml"}; !slices.Equal(got, want) {
		t.Errorf("objects from %v, want %v", got, want)
	}
}

// Every root of a tree is evaluated; a module that a root calls by a local
// path is evaluated through its caller only, not again as a root of its own.
func TestWalkEvaluatesEveryRootOnce(t *testing.T) {
	dir := testtree.Write(t, map[string]string{
		"live/main.tf": `module "net" {
  source = "../modules/net"
  name   = "prod"
}
`,
		"modules/net/main.tf": `variable "name" {}
resource "google_compute_network" "n" {
  name = var.name
}
module "sub" {
  source = "./sub"
}
`,
		"modules/net/sub/main.tf": `resource "google_compute_firewall" "f" {
  name = "f"
}
`,
		"other/main.tf": bucket,
	})
	in, _ := walk(t, dir)
	want := []string{
		"google_storage_bucket.b",
		"module.net.google_compute_network.n",
		"module.net.module.sub.google_compute_firewall.f",
	}
	if got := addresses(in); !slices.Equal(got, want) {
		t.Errorf("resources %v, want %v", got, want)
	}
	// Named on its own, a called module is a root like any other.
	l, err := New(Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	in, err = l.Load(context.Background(), []string{filepath.Join(dir, "modules/net")})
	if err != nil {
		t.Fatal(err)
	}
	if got := addresses(in); !slices.Equal(got, []string{"google_compute_network.n", "module.sub.google_compute_firewall.f"}) {
		t.Errorf("the module named alone: %v", got)
	}
}

// What a walk leaves out, it names, with the reason.
func TestWalkNotesWhatItLeavesOut(t *testing.T) {
	dir := testtree.Write(t, map[string]string{
		"main.tf":                 bucket,
		"terraform.tfvars":        "",
		"prod.tfvars":             "",
		"kustomization.yaml":      "resources: [pod.yaml]\n",
		"broken.json":             "{\"a\": }",
		"testdata/pod.yaml":       pod,
		"README.md":               "not an input kind: no note",
		".github/workflows/x.yml": "on: push\n",
	})
	_, notes := walk(t, dir)
	want := []string{
		"broken.json: skipped: not valid JSON",
		"kustomization.yaml: skipped: no Kubernetes object (apiVersion and kind) and not a Terraform plan",
		"prod.tfvars: skipped: Terraform reads a variables file by this name only when it is given (--var-file)",
		"testdata: skipped: a walk does not enter testdata directories (name it to check it)",
	}
	if len(notes) != len(want) {
		t.Fatalf("notes:\n%s", strings.Join(notes, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(notes[i], w) {
			t.Errorf("note %d = %q, want it to start %q", i, notes[i], w)
		}
	}
}

// A plan beside its sources stands for them; what lies below is still read,
// and the plan is read once.
func TestWalkPlanBesideSourcesAndManifestsBelow(t *testing.T) {
	plan, err := os.ReadFile(filepath.Join(repoRoot, "testdata/plans/base.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := testtree.Write(t, map[string]string{
		"main.tf":      bucket,
		"plan.json":    string(plan),
		"k8s/pod.yaml": pod,
	})
	in, _ := walk(t, dir)
	if slices.Contains(addresses(in), "google_storage_bucket.b") {
		t.Error("the sources were evaluated although a plan stands for them")
	}
	seen := map[string]int{}
	for _, r := range in.Terraform.Resources {
		seen[r.Address]++
		if seen[r.Address] > 1 {
			t.Fatalf("%s read twice", r.Address)
		}
	}
	if len(in.Terraform.Resources) == 0 {
		t.Error("the plan was not read")
	}
	if got := objectFiles(in); !slices.Contains(got, "k8s/pod.yaml") {
		t.Errorf("objects from %v", got)
	}
}
