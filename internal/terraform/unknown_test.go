package terraform

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/testtree"
)

// evaluateNotes evaluates dir with its root variables unset, and returns the notes too.
func evaluateNotes(t *testing.T, dir string) (map[string]any, []string) {
	t.Helper()
	c := NewConfigs(func(p string) string { rel, _ := filepath.Rel(dir, p); return filepath.ToSlash(rel) }, limits.Default)
	rv, err := c.RootVariables(dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs, notes, err := c.Evaluate(dir, rv)
	if err != nil {
		t.Fatalf("an unset variable must make values unknown, not fail: %v", err)
	}
	out := map[string]any{}
	for _, r := range rs {
		out[r.Address] = map[string]any{"values": r.Values, "unknown": r.Unknown}
	}
	return out, notes
}

// What only apply or the caller can know is unknown, never an error: a root
// variable nobody set (no default, or a null default where a value is
// needed), count and for_each over it. Each such variable is named once.
func TestUnsetRootVariablesAreUnknown(t *testing.T) {
	dir := testtree.Write(t, map[string]string{"main.tf": `
variable "members" {
  type = set(string)
}
variable "prefix" {
  type    = string
  default = null
  validation {
    condition     = var.prefix != null
    error_message = "prefix is required."
  }
}
variable "zones" {
  type    = list(string)
  default = null
}
variable "unused" {
  default = null
}
resource "google_project_iam_member" "m" {
  for_each = var.members
  project  = "p"
  role     = "roles/editor"
  member   = "user:${each.value}"
}
resource "google_storage_bucket" "b" {
  name     = "${var.prefix}-bucket"
  location = "EU"
}
resource "google_compute_instance" "vm" {
  count = length(var.zones)
  name  = "vm-${count.index}"
  zone  = var.zones[count.index]
}
resource "google_compute_network" "n" {
  count = var.prefix == null ? 0 : 1
  name  = "n"
}
`})
	got, notes := evaluateNotes(t, dir)
	want := `{"google_compute_instance.vm[*]":{"unknown":{"name":true,"zone":true},"values":{}},` +
		`"google_project_iam_member.m[*]":{"unknown":{"member":true},"values":{"project":"p","role":"roles/editor"}},` +
		`"google_storage_bucket.b":{"unknown":{"name":true},"values":{"location":"EU"}}}`
	if s := asJSON(t, got); s != want {
		t.Errorf("resources\n got %s\nwant %s", s, want)
	}
	// A null default is a value: a condition on it is decided (no network).
	for _, n := range []string{"var.members is not set and it has no default", "var.prefix is not set and its default is null where a value is needed", "var.zones is not set and its default is null"} {
		if !slices.ContainsFunc(notes, func(s string) bool { return strings.Contains(s, n) }) {
			t.Errorf("no note %q in:\n%s", n, strings.Join(notes, "\n"))
		}
	}
	for _, n := range []string{"google_project_iam_member.m[*]: count or for_each is known only after apply", "google_compute_instance.vm[*]"} {
		if !slices.ContainsFunc(notes, func(s string) bool { return strings.Contains(s, n) }) {
			t.Errorf("no note %q in:\n%s", n, strings.Join(notes, "\n"))
		}
	}
	if slices.ContainsFunc(notes, func(s string) bool { return strings.Contains(s, "var.unused") }) {
		t.Errorf("a null default nothing needed is noted:\n%s", strings.Join(notes, "\n"))
	}
}

// count and for_each over values a provider computes: checked once with
// the key unknown; a map's keys are known even where its values are not.
func TestExpansionOverUnknowns(t *testing.T) {
	dir := testtree.Write(t, map[string]string{"main.tf": `
resource "google_service_account" "sa" {
  account_id = "sa"
}
resource "google_project_iam_member" "by_email" {
  for_each = toset([google_service_account.sa.email])
  project  = "p"
  role     = "roles/viewer"
  member   = "serviceAccount:${each.key}"
}
resource "google_project_iam_member" "by_role" {
  for_each = { viewer = google_service_account.sa.email }
  project  = "p"
  role     = "roles/${each.key}"
  member   = each.value
}
module "m" {
  source = "./m"
  count  = length(google_service_account.sa.email)
}
`, "m/main.tf": `
resource "google_compute_network" "n" {
  name = "n"
}
`})
	got, _ := evaluateNotes(t, dir)
	var addrs []string
	for a := range got {
		addrs = append(addrs, a)
	}
	slices.Sort(addrs)
	want := []string{
		`google_project_iam_member.by_email[*]`,
		`google_project_iam_member.by_role["viewer"]`,
		`google_service_account.sa`,
		`module.m[*].google_compute_network.n`,
	}
	if !slices.Equal(addrs, want) {
		t.Errorf("addresses %v, want %v", addrs, want)
	}
}

// What Terraform refuses whatever the variables' values stays an error.
func TestUnknownsDoNotHideErrors(t *testing.T) {
	for name, src := range map[string]string{
		`main.tf:3: Invalid count argument: The given "count" argument value is null.`: "variable \"n\" {}\nresource \"a_b\" \"x\" {\n  count = null\n}\n",
		`main.tf:3: Invalid template interpolation value`:                              "variable \"n\" {}\nresource \"a_b\" \"x\" {\n  name = \"${null}-${var.n}\"\n}\n",
		`main.tf:3: Call to unknown function`:                                          "variable \"n\" {}\nresource \"a_b\" \"x\" {\n  name = nosuch(var.n)\n}\n",
	} {
		dir := testtree.Write(t, map[string]string{"main.tf": src})
		if _, err := evaluate(t, dir, limits.Default); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%q: error %v, want %q", src, err, name)
		}
	}
}
