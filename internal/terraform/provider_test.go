package terraform

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/providerschema"
	"github.com/acme/guard/internal/testtree"
)

// Values are converted to their attribute's type from the provider's
// schema: node pools built from list(map(any)) inputs hold strings.
func TestSchemaConvertsValues(t *testing.T) {
	dir := testtree.Write(t, map[string]string{"main.tf": `
variable "pools" {
  type    = list(map(any))
  default = [{ name = "a", auto_repair = "true", nodes = "3" }]
}
resource "google_container_node_pool" "p" {
  for_each   = { for p in var.pools : p.name => p }
  name       = each.key
  cluster    = "c"
  node_count = each.value.nodes
  management {
    auto_repair = lookup(each.value, "auto_repair", true)
  }
}
`})
	rs, err := evaluate(t, dir, limits.Default)
	if err != nil {
		t.Fatal(err)
	}
	r := byAddress(rs)[`google_container_node_pool.p["a"]`]
	if got := asJSON(t, r.Values); got != `{"cluster":"c","management":[{"auto_repair":true}],"name":"a","node_count":3}` {
		t.Errorf("values %s", got)
	}
}

// What the provider computes is unknown to the expressions that read it,
// through module outputs too, and a block the provider fills in may be
// indexed; none of it is an error.
func TestSchemaComputedAttributesAndBlocks(t *testing.T) {
	dir := testtree.Write(t, map[string]string{
		"main.tf": `
module "net" {
  source = "./net"
}
resource "google_container_cluster" "c" {
  name       = "c"
  subnetwork = module.net.subnets["a"].id
  network    = module.net.subnets["a"].self_link
}
output "dns" {
  value = google_container_cluster.c.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint
}
`,
		"net/main.tf": `
resource "google_compute_subnetwork" "s" {
  for_each      = toset(["a"])
  name          = each.key
  ip_cidr_range = "10.0.0.0/24"
  network       = "n"
}
output "subnets" {
  value = google_compute_subnetwork.s
}
`})
	rs, err := evaluate(t, dir, limits.Default)
	if err != nil {
		t.Fatal(err)
	}
	r := byAddress(rs)["google_container_cluster.c"]
	if got := asJSON(t, r.Unknown); got != `{"network":true,"subnetwork":true}` {
		t.Errorf("unknown %s", got)
	}
	if got := asJSON(t, r.References); !strings.Contains(got, `module.net.google_compute_subnetwork.s[\"a\"].id`) {
		t.Errorf("references %s: the unknown must say what it stands for", got)
	}
	// Unset blocks stay out of the values, as before a schema.
	if _, ok := r.Values["node_pool"]; ok {
		t.Errorf("values hold blocks the configuration does not write: %s", asJSON(t, r.Values))
	}
}

// An argument the schema does not know: a note with the built-in schema
// (its version may differ from the user's), an error with the user's own.
func TestSchemaUnknownArgument(t *testing.T) {
	dir := testtree.Write(t, map[string]string{"main.tf": `
resource "google_storage_bucket" "b" {
  name        = "b"
  location    = "EU"
  no_such_arg = true
}
resource "a_b" "c" {
  anything = 1
}
`})
	c := NewConfigs(func(p string) string { rel, _ := filepath.Rel(dir, p); return filepath.ToSlash(rel) }, limits.Default)
	rs, notes, err := c.Evaluate(dir, nil)
	if err != nil || len(rs) != 2 {
		t.Fatalf("built-in schema: %d resources, %v", len(rs), err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], `main.tf:2: google_storage_bucket.b: the built-in schema of provider "google"`) || !strings.Contains(notes[0], "no_such_arg") {
		t.Errorf("notes %q", notes)
	}
	if v := byAddress(rs)["google_storage_bucket.b"].Values["no_such_arg"]; v != true {
		t.Errorf("the unknown argument is not checked as written: %v", v)
	}

	user := filepath.Join(t.TempDir(), "schema.json")
	schema := `{"format_version":"1.0","provider_schemas":{"registry.terraform.io/hashicorp/google":{"resource_schemas":{
		"google_storage_bucket":{"version":0,"block":{"attributes":{"name":{"type":"string","required":true},"location":{"type":"string","required":true}}}}}}}}`
	if err := os.WriteFile(user, []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := providerschema.New([]string{user})
	if err != nil {
		t.Fatal(err)
	}
	c = NewConfigs(func(p string) string { rel, _ := filepath.Rel(dir, p); return filepath.ToSlash(rel) }, limits.Default)
	c.UseSchemas(s)
	if _, _, err := c.Evaluate(dir, nil); err == nil || !strings.Contains(err.Error(), "main.tf:2: Unsupported argument: google_storage_bucket has no no_such_arg") {
		t.Errorf("user schema: %v", err)
	}
}

// The schemas built into guard are the ones in ../shared/provider-schemas,
// as cmd/gen-provider-schemas makes them.
func TestBuiltinSchemasUpToDate(t *testing.T) {
	shared := filepath.Join("..", "..", "..", "shared", "provider-schemas")
	if _, err := os.Stat(shared); err != nil {
		t.Skip("needs ../shared/provider-schemas (CI has it):", err)
	}
	out := filepath.Join(t.TempDir(), "schemas.zip")
	abs, _ := filepath.Abs(shared)
	gen := exec.Command("go", "run", "./cmd/gen-provider-schemas", abs, out)
	gen.Dir = filepath.Join("..", "..")
	if b, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, b)
	}
	want, _ := os.ReadFile(out)
	got, _ := os.ReadFile(filepath.Join("..", "providerschema", "schemas.zip"))
	if string(got) != string(want) {
		t.Error("internal/providerschema/schemas.zip differs from ../shared/provider-schemas: run go generate ./internal/providerschema")
	}
}
