package terraform

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/testtree"
)

func evaluate(t *testing.T, dir string, lim limits.Limits, vars ...string) ([]input.Resource, error) {
	t.Helper()
	display := func(p string) string {
		if rel, err := filepath.Rel(dir, p); err == nil {
			return filepath.ToSlash(rel)
		}
		return p
	}
	c := NewConfigs(display, lim)
	rv, err := c.RootVariables(dir, nil, vars)
	if err != nil {
		return nil, err
	}
	rs, _, err := c.Evaluate(dir, rv)
	return rs, err
}

func byAddress(rs []input.Resource) map[string]input.Resource {
	m := map[string]input.Resource{}
	for _, r := range rs {
		m[r.Address] = r
	}
	return m
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Terraform's override files: an attribute replaces the attribute of that
// name, nested blocks of a type replace all blocks of that type, and the
// resource stays where its primary file declares it.
func TestOverrideFiles(t *testing.T) {
	dir := testtree.Write(t, map[string]string{
		"main.tf": `
variable "abac" {
  default = true
}

locals {
  pool = "default"
}

resource "google_container_cluster" "this" {
  name               = "c"
  enable_legacy_abac = var.abac
  node_config {
    image_type = "UBUNTU"
  }
  node_config {
    image_type = "WINDOWS"
  }
  private_cluster_config {
    enable_private_nodes = true
  }
}

output "pool" {
  value = local.pool
}
`,
		"override.tf": `
resource "google_container_cluster" "this" {
  enable_legacy_abac = false
  node_config {
    image_type = "COS_CONTAINERD"
  }
}
`,
		"z_override.tf.json": `{"locals": {"pool": "hardened"}, "variable": {"abac": {"default": false}}}`,
	})
	rs, err := evaluate(t, dir, limits.Default)
	if err != nil {
		t.Fatal(err)
	}
	r := byAddress(rs)["google_container_cluster.this"]
	if got := asJSON(t, r.Values["enable_legacy_abac"]); got != "false" {
		t.Errorf("enable_legacy_abac = %s, want the override's false", got)
	}
	if got := asJSON(t, r.Values["node_config"]); got != `[{"image_type":"COS_CONTAINERD"}]` {
		t.Errorf("node_config = %s, want the override's one block", got)
	}
	if got := asJSON(t, r.Values["private_cluster_config"]); got != `[{"enable_private_nodes":true}]` {
		t.Errorf("private_cluster_config = %s, want the primary's block kept", got)
	}
	if r.Source.File != "main.tf" || r.Source.Line != 10 {
		t.Errorf("source = %+v, want main.tf:10 (the primary block)", r.Source)
	}
}

func TestJSONConfiguration(t *testing.T) {
	dir := testtree.Write(t, map[string]string{
		"main.tf.json": `{
  "variable": {"region": {"default": "europe-west1"}},
  "locals": {"name": "prod"},
  "resource": {
    "google_container_cluster": {
      "this": {
        "name": "${local.name}-${var.region}",
        "count": 2,
        "node_config": [{"image_type": "COS_CONTAINERD", "labels": {"pool": "a"}}],
        "enable_legacy_abac": false
      }
    }
  }
}`,
	})
	rs, err := evaluate(t, dir, limits.Default)
	if err != nil {
		t.Fatal(err)
	}
	m := byAddress(rs)
	if len(m) != 2 {
		t.Fatalf("resources %v, want two counted instances", m)
	}
	r := m["google_container_cluster.this[1]"]
	if r.Values["name"] != "prod-europe-west1" || asJSON(t, r.Values["node_config"]) != `[{"image_type":"COS_CONTAINERD","labels":{"pool":"a"}}]` {
		t.Errorf("values = %s", asJSON(t, r.Values))
	}
	if r.Source.File != "main.tf.json" || r.Source.Line == 0 {
		t.Errorf("source = %+v", r.Source)
	}
}

// Configurations Terraform refuses are errors: one line, the file and line
// of the first real error.
func TestInvalidConfigurations(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"duplicate resource", map[string]string{"main.tf": "resource \"a_b\" \"x\" {}\n\nresource \"a_b\" \"x\" {}\n"},
			`main.tf:3: Duplicate resource "a_b" configuration: A a_b resource named "x" was already declared at main.tf:1.`},
		{"duplicate across files", map[string]string{"a.tf": "resource \"a_b\" \"x\" {}\n", "b.tf": "resource \"a_b\" \"x\" {}\n"},
			`b.tf:1: Duplicate resource "a_b" configuration`},
		{"duplicate variable", map[string]string{"main.tf": "variable \"v\" {}\nvariable \"v\" {}\n"}, `main.tf:2: Duplicate variable declaration`},
		{"duplicate module", map[string]string{"main.tf": "module \"m\" {\n  source = \"./m\"\n}\nmodule \"m\" {\n  source = \"./m\"\n}\n", "m/main.tf": ""}, `main.tf:4: Duplicate module call`},
		{"duplicate output", map[string]string{"main.tf": "output \"o\" {\n  value = 1\n}\noutput \"o\" {\n  value = 2\n}\n"}, `main.tf:4: Duplicate output definition`},
		{"duplicate local", map[string]string{"main.tf": "locals {\n  a = 1\n}\nlocals {\n  a = 2\n}\n"}, `main.tf:5: Duplicate local value definition`},
		{"variable without label", map[string]string{"main.tf": "variable {}\n"}, `main.tf:1: Missing name for variable`},
		{"module without label", map[string]string{"main.tf": "module {\n  source = \"./m\"\n}\n"}, `main.tf:1: Missing name for module`},
		{"output without label", map[string]string{"main.tf": "output {\n  value = 1\n}\n"}, `main.tf:1: Missing name for output`},
		{"resource with one label", map[string]string{"main.tf": "resource \"a_b\" {}\n"}, `main.tf:1: Missing name for resource`},
		{"unknown block", map[string]string{"main.tf": "resources \"a_b\" \"x\" {}\n"}, `main.tf:1: Unsupported block type`},
		{"top-level attribute", map[string]string{"main.tf": "x = 1\n"}, `main.tf:1: Unsupported argument`},
		{"attribute redefined, follow-ons not listed", map[string]string{"main.tf": "resource \"a_b\" \"x\" {\n  a = 1\n  a = 2\n}\n"}, `main.tf:3: Attribute redefined`},
		{"negative count", map[string]string{"main.tf": "resource \"a_b\" \"x\" {\n  count = -1\n}\n"}, `main.tf:2: Invalid count argument: The given "count" argument value is unsuitable: must be greater than or equal to zero.`},
		{"fractional count", map[string]string{"main.tf": "resource \"a_b\" \"x\" {\n  count = 1.5\n}\n"}, `main.tf:2: Invalid count argument: The given "count" argument value is unsuitable: value must be a whole number.`},
		{"null count", map[string]string{"main.tf": "resource \"a_b\" \"x\" {\n  count = null\n}\n"}, `main.tf:2: Invalid count argument: The given "count" argument value is null.`},
		{"string count", map[string]string{"main.tf": "resource \"a_b\" \"x\" {\n  count = \"two\"\n}\n"}, `main.tf:2: Invalid count argument`},
		{"huge count", map[string]string{"main.tf": "resource \"a_b\" \"x\" {\n  count = 1e30\n}\n"}, `main.tf:2: Invalid count argument: count = 1e+30: more than the limit of 100000 (raise it with --limit instances=N)`},
		{"count and for_each", map[string]string{"main.tf": "resource \"a_b\" \"x\" {\n  count = 1\n  for_each = {}\n}\n"}, `main.tf:3: Invalid combination of "count" and "for_each"`},
		{"for_each over a list", map[string]string{"main.tf": "resource \"a_b\" \"x\" {\n  for_each = [\"a\"]\n}\n"}, `main.tf:2: Invalid for_each argument`},
		{"module calls itself", map[string]string{"main.tf": "module \"self\" {\n  source = \"./\"\n}\n"}, `main.tf:2: Module cycle: module "self" calls a module that is already calling it: . -> .`},
		{"module cycle a -> b -> a", map[string]string{
			"main.tf":   "module \"a\" {\n  source = \"./a\"\n}\n",
			"a/main.tf": "module \"b\" {\n  source = \"../b\"\n}\n",
			"b/main.tf": "module \"a\" {\n  source = \"../a\"\n}\n",
		}, `b/main.tf:2: Module cycle: module "a" calls a module that is already calling it: a -> b -> a`},
		{"failing validation", map[string]string{"main.tf": "variable \"region\" {\n  default = \"us-east1\"\n  validation {\n    condition     = startswith(var.region, \"europe-\")\n    error_message = \"The platform runs in Europe only.\"\n  }\n}\n"},
			`main.tf:4: Invalid value for variable: The platform runs in Europe only.`},
		{"unknown function", map[string]string{"main.tf": "locals {\n  a = nosuchfunction(1)\n}\n"}, `main.tf:2: Call to unknown function`},
		{"override of nothing", map[string]string{"main.tf": "", "override.tf": "resource \"a_b\" \"x\" {}\n"}, `override.tf:1: Missing resource to override`},
		{"binary file", map[string]string{"main.tf": "resource \x00\x01\x02"}, `main.tf:1: binary data (a NUL byte), not text`},
		{"invalid UTF-8", map[string]string{"main.tf": "locals {\n  a = \"\xff\"\n}\n"}, `main.tf:2: invalid UTF-8`},
		{"deep nesting", map[string]string{"main.tf": "locals {\n  a = " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) + "\n}\n"}, `main.tf:2: brackets nested more than the limit of 500 (raise it with --limit depth=N)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := evaluate(t, testtree.Write(t, tt.files), limits.Default)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.want) {
				t.Errorf("error %q, want it to start with %q", msg, tt.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
		})
	}
}

// Follow-on errors are counted, not listed: the first real error leads.
func TestOneErrorLine(t *testing.T) {
	dir := testtree.Write(t, map[string]string{"main.tf": "locals {\n  a = nosuch(1)\n  b = nosuch(2)\n}\n"})
	_, err := evaluate(t, dir, limits.Default)
	if err == nil || err.Error() != `main.tf:2: Call to unknown function: There is no function named "nosuch". (and 1 more error)` {
		t.Errorf("got %v", err)
	}
}

func TestModuleDepthAndInstanceLimits(t *testing.T) {
	lim := limits.Default
	lim.ModuleDepth = 2
	deep := testtree.Write(t, map[string]string{
		"main.tf":     "module \"a\" {\n  source = \"./a\"\n}\n",
		"a/main.tf":   "module \"b\" {\n  source = \"./b\"\n}\n",
		"a/b/main.tf": "module \"c\" {\n  source = \"./c\"\n}\n",
		"a/b/c/x.tf":  "",
	})
	if _, err := evaluate(t, deep, lim); err == nil || !strings.Contains(err.Error(), "--limit module-depth=N") {
		t.Errorf("depth 3 with a limit of 2: %v", err)
	}
	lim = limits.Default
	lim.Instances = 10
	wide := testtree.Write(t, map[string]string{
		"main.tf":   "module \"m\" {\n  source = \"./m\"\n  count  = 4\n}\n",
		"m/main.tf": "resource \"a_b\" \"x\" {\n  count = 3\n}\n",
	})
	if _, err := evaluate(t, wide, lim); err == nil || !strings.Contains(err.Error(), "--limit instances=N") {
		t.Errorf("4 modules x 3 resources with a limit of 10: %v", err)
	}
	lim.Instances = 16
	if rs, err := evaluate(t, wide, lim); err != nil || len(rs) != 12 {
		t.Errorf("within the limit: %d resources, %v", len(rs), err)
	}
}

func TestVariableValidationPasses(t *testing.T) {
	dir := testtree.Write(t, map[string]string{"main.tf": `
variable "region" {
  default = "europe-west1"
  validation {
    condition     = startswith(var.region, "europe-")
    error_message = "Europe only."
  }
}
resource "a_b" "x" {
  region = var.region
}
`})
	if _, err := evaluate(t, dir, limits.Default); err != nil {
		t.Fatal(err)
	}
	if _, err := evaluate(t, dir, limits.Default, "region=us-east1"); err == nil || !strings.Contains(err.Error(), "Europe only.") {
		t.Errorf("--var region=us-east1: %v", err)
	}
}

// Terraform's functions as Terraform evaluates them: alltrue([false]) is
// false, not unknown (a false GKE-004 before), length and lookup work on strings and defaults.
func TestFunctionsInConfiguration(t *testing.T) {
	dir := testtree.Write(t, map[string]string{"main.tf": `
resource "google_container_cluster" "this" {
  enable_legacy_abac = alltrue([false])
  name               = "n${length("abc")}"
  location           = lookup({ a = "x" }, "k", "europe-west1")
  description        = timestamp()
}
`})
	rs, err := evaluate(t, dir, limits.Default)
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	if r.Values["enable_legacy_abac"] != false || r.Values["name"] != "n3" || r.Values["location"] != "europe-west1" {
		t.Errorf("values %s", asJSON(t, r.Values))
	}
	if r.Unknown["description"] != true {
		t.Errorf("timestamp() must be unknown: %s", asJSON(t, r.Unknown))
	}
}
