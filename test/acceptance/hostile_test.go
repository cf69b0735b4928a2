package acceptance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostileCase is one broken or hostile input (testdata/hostile, made by
// make-corpus.py, or built by setup for what git cannot hold: FIFOs,
// symlinks to devices, permissions).
type hostileCase struct {
	name string
	// args are guard's arguments after `check`; "CASE" stands for the
	// case's directory, "TMP" for the directory setup built.
	args []string
	code int
	// want is in the one line guard prints on stderr (exit 2), or in its
	// notes (exit 0 or 1); "CASE" and "TMP" as in args.
	want  string
	setup func(t *testing.T, dir string)
}

// Every case runs with a time limit well below the test's own deadline: a
// hang becomes guard's own exit 2, which the case must expect.
const hostileTimeLimit = "20s"

func hostileCases() []hostileCase {
	tf := func(name, want string) hostileCase {
		return hostileCase{name: name, args: []string{"CASE"}, code: 2, want: "CASE/" + want}
	}
	plan := func(name, want string) hostileCase {
		return hostileCase{name: name, args: []string{"CASE/plan.json"}, code: 2, want: "CASE/plan.json" + want}
	}
	manifest := func(name, file, want string) hostileCase {
		return hostileCase{name: name, args: []string{"CASE/" + file}, code: 2, want: "CASE/" + file + want}
	}
	policy := func(name, want string) hostileCase {
		return hostileCase{name: name, args: []string{"--policy", "CASE", "--source", "stacks/app", "testdata/stack-plans/app.json"}, code: 2, want: want}
	}
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: default\n"
	writeFile := func(t *testing.T, path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mkfifo := func(t *testing.T, path string) {
		t.Helper()
		if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	symlink := func(t *testing.T, target, path string) {
		t.Helper()
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
	}
	copyChart := func(t *testing.T, dir string) {
		writeFile(t, filepath.Join(dir, "chart/Chart.yaml"), "apiVersion: v2\nname: c\nversion: 0.1.0\n")
		writeFile(t, filepath.Join(dir, "chart/templates/cm.yaml"), cm)
	}
	unreadableCode := 2
	if os.Geteuid() == 0 {
		unreadableCode = 0 // root reads any file: the content (a valid ConfigMap) decides
	}
	return []hostileCase{
		// Terraform that Terraform refuses.
		tf("tf-variable-no-label", "main.tf:1: Missing name for variable"),
		tf("tf-module-no-label", "main.tf:1: Missing name for module"),
		tf("tf-output-no-label", "main.tf:1: Missing name for output"),
		tf("tf-resource-one-label", "main.tf:1: Missing name for resource"),
		tf("tf-resource-three-labels", "main.tf:1: Extraneous label for resource"),
		tf("tf-deep-parens", "main.tf:2: brackets nested more than the limit of 500"),
		tf("tf-deep-interpolation", "main.tf:2: brackets nested more than the limit of 500"),
		tf("tf-deep-lists", "main.tf:2: brackets nested more than the limit of 500"),
		tf("tf-module-self", "main.tf:2: Module cycle"),
		tf("tf-module-cycle", "b/main.tf:2: Module cycle: module \"a\" calls a module that is already calling it: a -> b -> a"),
		tf("tf-module-deep", strings.Repeat("m/", 32)+"main.tf:2: Module calls nested too deeply: module \"m\" is 33 calls deep"),
		tf("tf-count-million", "main.tf:2: Invalid count argument: count = 1e+06: more than the limit of 100000 (raise it with --limit instances=N)"),
		tf("tf-count-1e30", "main.tf:2: Invalid count argument: count = 1e+30"),
		tf("tf-count-negative", "main.tf:2: Invalid count argument: The given \"count\" argument value is unsuitable: must be greater than or equal to zero."),
		tf("tf-count-fraction", "main.tf:2: Invalid count argument: The given \"count\" argument value is unsuitable: value must be a whole number."),
		tf("tf-count-null", "main.tf:2: Invalid count argument: The given \"count\" argument value is null."),
		tf("tf-count-string", "main.tf:2: Invalid count argument"),
		tf("tf-count-and-for-each", "main.tf:3: Invalid combination of \"count\" and \"for_each\""),
		tf("tf-for-each-list", "main.tf:2: Invalid for_each argument"),
		tf("tf-for-each-null", "main.tf:2: Invalid for_each argument"),
		{name: "tf-for-each-huge", args: []string{"--limit", "time=5s", "CASE"}, code: 2, want: "gave up after 5s while evaluating the Terraform in CASE"},
		tf("tf-duplicate-resource", "main.tf:3: Duplicate resource \"google_compute_network\" configuration"),
		tf("tf-duplicate-variable", "main.tf:2: Duplicate variable declaration"),
		tf("tf-duplicate-module", "main.tf:4: Duplicate module call"),
		tf("tf-duplicate-local", "main.tf:5: Duplicate local value definition"),
		tf("tf-attribute-redefined", "main.tf:3: Attribute redefined"),
		tf("tf-unterminated-string", "main.tf:2: Invalid multi-line string"),
		tf("tf-unclosed-block", "main.tf:1: Unclosed configuration block"),
		tf("tf-unterminated-heredoc", "main.tf:5: Unterminated template string"),
		tf("tf-unknown-function", "main.tf:2: Call to unknown function"),
		tf("tf-failing-validation", "main.tf:4: Invalid value for variable: The platform runs in Europe only."),
		tf("tf-local-cycle", "main.tf:2: Cycle in local values"),
		tf("tf-unknown-block", "main.tf:1: Unsupported block type"),
		tf("tf-top-level-attribute", "main.tf:1: Unsupported argument"),
		tf("tf-file-dev-zero", "main.tf:2: Invalid function argument: Invalid value for \"path\" parameter: /dev/zero is not a regular file."),
		tf("tf-file-missing", "main.tf:2: Invalid function argument"),
		tf("tf-templatefile-missing", "main.tf:2: Invalid function argument"),
		tf("tf-module-missing-dir", "main.tf:2: Unreadable module"),
		tf("tf-registry-module-not-installed", "main.tf:2: Module not installed"),
		tf("tf-variable-type-mismatch", "main.tf:1: Invalid value for input variable"),
		tf("tf-missing-module-argument", "m/main.tf:1: Missing required argument"),
		tf("tf-override-without-base", "override.tf:1: Missing resource to override"),
		tf("tf-json-broken", "main.tf.json:1: Trailing comma in object"),
		tf("tf-json-dynamic", "main.tf.json:5: Unsupported dynamic block in JSON"),
		tf("tf-tfvars-broken", "terraform.tfvars:1: Invalid multi-line string"),
		tf("tf-tfvars-binary", "terraform.tfvars:1: binary data (a NUL byte), not text"),
		tf("tf-binary", "main.tf:1: binary data (a NUL byte), not text"),
		tf("tf-invalid-utf8", "main.tf:2: invalid UTF-8 (byte 0xff)"),
		{name: "tf-empty", args: []string{"CASE"}, code: 2, want: "no Terraform, Helm or Kubernetes input found in CASE"},
		{name: "tf-main-is-dev-zero", args: []string{"TMP"}, code: 2, want: "TMP/main.tf: not a regular file", setup: func(t *testing.T, dir string) {
			symlink(t, "/dev/zero", filepath.Join(dir, "main.tf"))
		}},
		{name: "tf-var-file-fifo", args: []string{"--var-file", "TMP/ci.tfvars", "testdata/hcl/fixture"}, code: 2, want: "TMP/ci.tfvars: not a regular file", setup: func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "ci.tfvars"))
		}},
		{name: "tf-var-file-missing", args: []string{"--var-file", "TMP/nope.tfvars", "testdata/hcl/fixture"}, code: 2, want: "TMP/nope.tfvars: no such file or directory"},

		// Plans guard would misread.
		plan("plan-null-change", ": not a valid Terraform plan: resource_changes[1]: null entry"),
		plan("plan-null-planned", ": not a valid Terraform plan: planned_values.root_module.resources[2]: null entry"),
		plan("plan-null-child-module", ": not a valid Terraform plan: planned_values.root_module.child_modules[0]: null entry"),
		plan("plan-after-list", ": not a valid Terraform plan: resource_changes[0]: helm_release.app_primary: change.after must be an object, got an array"),
		plan("plan-after-string", ": not a valid Terraform plan: resource_changes[0]: helm_release.app_primary: change.after must be an object, got a string"),
		plan("plan-after-number", ": not a valid Terraform plan: resource_changes[0]: helm_release.app_primary: change.after must be an object, got a number"),
		plan("plan-after-unknown-string", ": not a valid Terraform plan: resource_changes[0]: helm_release.app_primary: change.after_unknown must be an object"),
		plan("plan-unknown-action", ": not a valid Terraform plan: resource_changes[1]: helm_release.app_secondary: unknown action \"explode\""),
		plan("plan-no-actions", ": not a valid Terraform plan: resource_changes[1]: helm_release.app_secondary: change.actions must list one or two actions, got 0"),
		plan("plan-three-actions", ": not a valid Terraform plan: resource_changes[1]: helm_release.app_secondary: change.actions must list one or two actions, got 3"),
		plan("plan-duplicate-address", ": not a valid Terraform plan: resource_changes[2]: address helm_release.app_secondary appears twice"),
		plan("plan-no-change", ": not a valid Terraform plan: resource_changes[1]: helm_release.app_secondary: no change"),
		plan("plan-change-string", ": not a valid Terraform plan: resource_changes[1]: expected an object at change"),
		plan("plan-changes-object", ": not a valid Terraform plan: resource_changes: expected an array, got an object"),
		plan("plan-format-version", ": not a valid Terraform plan: unsupported plan format version"),
		plan("plan-format-version-number", ": not a valid Terraform plan: format_version: expected a string"),
		plan("plan-unknown-mode", ": not a valid Terraform plan: resource_changes[0]: helm_release.app_primary: unknown mode \"ephemeralish\""),
		plan("plan-empty-address", ": not a valid Terraform plan: resource_changes[0]: address, type and name are required"),
		plan("plan-entry-is-string", ": not a valid Terraform plan: resource_changes[0]: expected an object"),
		plan("plan-planned-values-array", ": not a valid Terraform plan: planned_values: expected an object, got an array"),
		plan("plan-deep-values", ":1: malformed JSON: invalid character '{' exceeded max depth"),
		plan("plan-truncated", ": not a valid Terraform plan: unexpected EOF"),
		plan("plan-trailing-garbage", ":1: malformed JSON: invalid character '}' after top-level value"),
		plan("plan-binary", ":1: malformed JSON: invalid character '\\x00'"),
		plan("plan-nan", ":1: malformed JSON: invalid character 'N'"),
		plan("plan-empty", ":1: malformed JSON: unexpected end of JSON input"),
		{name: "plan-fifo", args: []string{"TMP/plan.json"}, code: 2, want: "TMP/plan.json: not a regular file", setup: func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "plan.json"))
		}},
		{name: "plan-over-size-limit", args: []string{"--limit", "file-size=10KiB", "testdata/stack-plans/app.json"}, code: 2, want: "testdata/stack-plans/app.json: not a valid Terraform plan: file is more than the limit of 10240 bytes (raise it with --limit file-size=N)"},

		// Manifests.
		manifest("yaml-unclosed-flow", "manifest.yaml", ":5: malformed YAML: did not find expected ',' or ']'"),
		manifest("yaml-tab-indent", "manifest.yaml", ":4: malformed YAML: found character that cannot start any token"),
		manifest("yaml-unterminated-quote", "manifest.yaml", ":9: malformed YAML: found unexpected end of stream"),
		manifest("yaml-bad-mapping", "manifest.yaml", ":3: malformed YAML: mapping values are not allowed in this context"),
		manifest("yaml-duplicate-key", "manifest.yaml", ":1: malformed YAML: yaml: unmarshal errors: line 5: mapping key \"name\" already defined at line 4"),
		manifest("yaml-no-kind", "manifest.yaml", ":1: not a Kubernetes object: apiVersion and kind are required"),
		manifest("yaml-no-api-version", "manifest.yaml", ":1: not a Kubernetes object: apiVersion and kind are required"),
		manifest("yaml-scalar", "manifest.yaml", ":1: not a Kubernetes object"),
		manifest("yaml-only-separators", "manifest.yaml", ": no Kubernetes object (apiVersion and kind) and not a Terraform plan"),
		manifest("yaml-empty", "manifest.yaml", ": no Kubernetes object (apiVersion and kind) and not a Terraform plan"),
		manifest("yaml-list-items-no-kind", "manifest.yaml", ":1: List item 0 is not a Kubernetes object: apiVersion and kind are required"),
		manifest("yaml-list-items-scalars", "manifest.yaml", ":1: List item 0 is not a Kubernetes object"),
		manifest("yaml-kind-number", "manifest.yaml", ":1: not a Kubernetes object"),
		manifest("yaml-kind-empty", "manifest.yaml", ":1: not a Kubernetes object"),
		manifest("yaml-metadata-list", "manifest.yaml", ":1: Pod: metadata: an array where v1.ObjectMeta is expected"),
		manifest("yaml-name-number", "manifest.yaml", ":1: ConfigMap: metadata.name: a number where string is expected"),
		manifest("yaml-containers-not-list", "manifest.yaml", ":1: Pod x: spec.containers: a string where []v1.Container is expected"),
		manifest("yaml-labels-list", "manifest.yaml", ":1: Namespace x: metadata.labels: an array where map[string]string is expected"),
		manifest("yaml-billion-laughs", "manifest.yaml", ":1: malformed YAML: yaml: document contains excessive aliasing"),
		manifest("yaml-deep-flow", "manifest.yaml", ":5: malformed YAML: exceeded max depth of 10000"),
		manifest("yaml-deep-block", "manifest.yaml", ":1: document nested more than the limit of 500"),
		manifest("yaml-unknown-tag", "manifest.yaml", ":1: malformed YAML"),
		manifest("yaml-merge-key-loop", "manifest.yaml", ":1: malformed YAML: yaml: anchor 'a' value contains itself"),
		manifest("yaml-invalid-utf8", "manifest.yaml", ":4: invalid UTF-8 (byte 0xff)"),
		manifest("yaml-binary", "manifest.yaml", ":1: binary data (a NUL byte), not text"),
		manifest("yaml-bom-utf16", "manifest.yaml", ":1: binary data (a NUL byte), not text"),
		manifest("json-manifest-broken", "manifest.json", ":1: malformed JSON"),
		manifest("json-deep", "manifest.json", ":1: malformed JSON: invalid character '[' exceeded max depth"),
		{name: "yaml-many-documents", args: []string{"CASE/manifest.yaml"}, code: 0},
		{name: "yaml-many-documents-limited", args: []string{"--limit", "documents=100", "testdata/hostile/cases/yaml-many-documents/manifest.yaml"}, code: 2, want: "testdata/hostile/cases/yaml-many-documents/manifest.yaml: holds more than the limit of 100 documents (raise it with --limit documents=N)"},
		{name: "walk-broken-yaml-beside-good", args: []string{"CASE"}, code: 2, want: "CASE/broken.yaml:4: malformed YAML"},
		{name: "walk-unsupported-file-named", args: []string{"CASE/notes.txt"}, code: 2, want: "CASE/notes.txt: not a plan JSON, Terraform directory, chart or Kubernetes YAML"},
		{name: "yaml-fifo-named", args: []string{"TMP/x.yaml"}, code: 2, want: "TMP/x.yaml: not a regular file", setup: func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "x.yaml"))
		}},
		{name: "yaml-fifo-in-walk", args: []string{"TMP"}, code: 0, want: "note: TMP/x.yaml: skipped: not a regular file", setup: func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "x.yaml"))
			writeFile(t, filepath.Join(dir, "cm.yaml"), cm)
		}},
		{name: "yaml-dev-zero-named", args: []string{"TMP/zero.yaml"}, code: 2, want: "TMP/zero.yaml: not a regular file", setup: func(t *testing.T, dir string) {
			symlink(t, "/dev/zero", filepath.Join(dir, "zero.yaml"))
		}},
		{name: "yaml-dev-zero-in-walk", args: []string{"TMP"}, code: 0, want: "note: TMP/zero.yaml: skipped: not a regular file", setup: func(t *testing.T, dir string) {
			symlink(t, "/dev/zero", filepath.Join(dir, "zero.yaml"))
			writeFile(t, filepath.Join(dir, "cm.yaml"), cm)
		}},
		{name: "yaml-dangling-symlink-named", args: []string{"TMP/gone.yaml"}, code: 2, want: "TMP/gone.yaml: no such file or directory", setup: func(t *testing.T, dir string) {
			symlink(t, filepath.Join(dir, "nowhere.yaml"), filepath.Join(dir, "gone.yaml"))
		}},
		{name: "walk-symlink-loop", args: []string{"TMP"}, code: 0, want: "note: TMP/loop: skipped: a symbolic link to a directory", setup: func(t *testing.T, dir string) {
			symlink(t, dir, filepath.Join(dir, "loop"))
			writeFile(t, filepath.Join(dir, "cm.yaml"), cm)
		}},
		{name: "yaml-directory-named-like-a-file", args: []string{"TMP"}, code: 0, setup: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "x.yaml", "cm.yaml"), cm)
		}},
		{name: "yaml-unreadable", args: []string{"TMP/cm.yaml"}, code: unreadableCode, want: "", setup: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "cm.yaml"), cm)
			os.Chmod(filepath.Join(dir, "cm.yaml"), 0)
		}},
		{name: "yaml-over-size-limit", args: []string{"--limit", "file-size=1KiB", "TMP/big.yaml"}, code: 2, want: "TMP/big.yaml: file is more than the limit of 1024 bytes (raise it with --limit file-size=N)", setup: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "big.yaml"), cm+"data:\n  x: "+strings.Repeat("a", 2048)+"\n")
		}},
		// Read whole; K8S-010 then exceeds the CEL cost budget scanning the
		// value and fails closed, as Kyverno does at admission (where the
		// API server would refuse an object this large in any case).
		{name: "yaml-ten-megabyte-value", args: []string{"TMP/big.yaml"}, code: 1, setup: func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "big.yaml"), cm+"data:\n  x: "+strings.Repeat("a", 10<<20)+"\n")
		}},

		// Charts Helm refuses, or that hide what they render.
		{name: "chart-missing-dependency", args: []string{"CASE"}, code: 2, want: "CASE: chart c: found in Chart.yaml, but missing in charts/ directory: redis"},
		{name: "chart-renders-no-kind", args: []string{"CASE"}, code: 2, want: "CASE/templates/pod.yaml:6: the template renders a document that is not a Kubernetes object"},
		{name: "chart-template-syntax", args: []string{"CASE"}, code: 2, want: "CASE: render: parse error at (c/templates/cm.yaml:1)"},
		{name: "chart-template-fail", args: []string{"CASE"}, code: 2, want: "CASE: render: execution error at (c/templates/cm.yaml:1:3): no"},
		{name: "chart-schema-violation", args: []string{"CASE"}, code: 2, want: "CASE: values: values don't meet the specifications of the schema(s)"},
		{name: "chart-yaml-broken", args: []string{"CASE"}, code: 2, want: "CASE: cannot load chart: cannot load Chart.yaml"},
		{name: "chart-kube-version", args: []string{"CASE"}, code: 2, want: "CASE: chart requires kubeVersion <1.20.0"},
		{name: "chart-recursive-template", args: []string{"CASE"}, code: 2, want: "CASE: render:"},
		{name: "chart-many-documents", args: []string{"--limit", "documents=100000", "CASE"}, code: 2, want: "CASE/templates/cm.yaml: holds more than the limit of 100000 documents"},
		{name: "chart-broken-subchart", args: []string{"CASE"}, code: 2, want: "CASE: cannot load chart: error unpacking subchart sub-0.1.0.tgz"},
		{name: "chart-values-file-broken", args: []string{"CASE"}, code: 2, want: "CASE: cannot load chart: cannot load values.yaml"},
		{name: "chart-api-version-v3", args: []string{"CASE"}, code: 0}, // helm template renders it too
		{name: "chart-release-missing", args: []string{"CASE"}, code: 2, want: "CASE/main.tf:1: helm_release.app: chart ./nope not found"},
		{name: "chart-release-values-broken", args: []string{"CASE"}, code: 2, want: "CASE/main.tf:1: helm_release.app: values[0]:"},
		{name: "chart-fifo-in-templates", args: []string{"TMP/chart"}, code: 2, want: "TMP/chart/templates/x.yaml: not a regular file (in chart TMP/chart)", setup: func(t *testing.T, dir string) {
			copyChart(t, dir)
			mkfifo(t, filepath.Join(dir, "chart/templates/x.yaml"))
		}},
		{name: "chart-values-dev-zero", args: []string{"--values", "/dev/zero", "TMP/chart"}, code: 2, want: "/dev/zero: not a regular file", setup: copyChart},

		// Policies that are broken, or would reach the network or the clock.
		policy("rego-syntax", "CASE/p.rego:9: rego_parse_error"),
		policy("rego-http-send", "CASE/p.rego:9: rego_type_error: undefined function http.send"),
		policy("rego-net-lookup", "CASE/p.rego:9: rego_type_error: undefined function net.lookup_ip_addr"),
		policy("rego-time-now", "CASE/p.rego:9: rego_type_error: undefined function time.now_ns"),
		policy("rego-opa-runtime", "CASE/p.rego:9: rego_type_error: undefined function opa.runtime"),
		policy("rego-divide-by-zero", "CASE/p.rego:10: T-001: evaluation failed: div: divide by zero"),
		policy("rego-builtin-type-error", "CASE/p.rego:10: T-001: evaluation failed: lower: operand 1 must be string"),
		policy("rego-no-id", "CASE/p.rego:5: policy data.t has no custom.id"),
		policy("rego-no-severity", "CASE/p.rego:5: policy data.t (T-001) has no valid custom.severity"),
		policy("rego-deny-not-a-set", "CASE/p.rego:6: T-001: deny must be a set"),
		policy("rego-result-without-msg", "CASE/p.rego:6: T-001: a deny result must have a string msg"),
		policy("rego-binary", "CASE/p.rego:1: rego_parse_error"),
		policy("rego-duplicate-id", "CASE/b.rego:6: policy id T-001 is already used by data.a"),
		policy("rego-conflicting-rules", "CASE/p.rego:10: T-001: evaluation failed: complete rules must not produce multiple outputs"),
		policy("kyverno-cel-syntax", "CASE/policy.yaml:1: ValidatingPolicy t: spec.validations[0].expression: Syntax error"),
		policy("kyverno-cel-type", "CASE/policy.yaml:1: ValidatingPolicy t: spec.validations[0].expression: output is expected to be of type bool"),
		// A policy from elsewhere needs none of guard's annotations (MEDIUM).
		{name: "kyverno-no-severity", args: []string{"--policy", "CASE", "--source", "stacks/app", "testdata/stack-plans/app.json"}, code: 0},
		policy("kyverno-yaml-broken", "CASE/policy.yaml:4: malformed YAML"),
		policy("kyverno-exception-cel", "CASE/exceptions/x.yaml:1: PolicyException x: spec.matchConditions[0].expression: Syntax error"),
		policy("kyverno-exception-unknown-policy", "CASE/exceptions/x.yaml:1: PolicyException x refers to ValidatingPolicy nope, which is not loaded"),
		{name: "kyverno-exception-no-owner", args: []string{"--policy", "CASE", "--source", "stacks/app", "testdata/stack-plans/app.json"}, code: 0},
		policy("policy-dir-empty", "no policies (Rego packages with deny or warn rules, Kyverno ValidatingPolicies) found in CASE"),
		// A CEL expression failing at run time fails closed (Kyverno's engine
		// reports an error; guard counts it as a deny).
		{name: "kyverno-cel-runtime", args: []string{"--policy", "CASE", "CASE/input/configmap.yaml"}, code: 1},
		{name: "rego-fifo", args: []string{"--policy", "TMP", "testdata/stack-plans/app.json"}, code: 2, want: "TMP/p.rego: not a regular file", setup: func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "p.rego"))
		}},
		{name: "kyverno-policy-fifo", args: []string{"--policy", "TMP", "testdata/stack-plans/app.json"}, code: 2, want: "TMP/policy.yaml: not a regular file", setup: func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "policy.yaml"))
		}},

		// Flags.
		{name: "limit-unknown", args: []string{"--limit", "speed=9", "testdata/stack-plans/app.json"}, code: 2, want: "--limit \"speed\": unknown limit"},
		{name: "limit-not-a-number", args: []string{"--limit", "depth=deep", "testdata/stack-plans/app.json"}, code: 2, want: "--limit depth: \"deep\" is not a positive whole number"},
		{name: "limit-time-not-a-duration", args: []string{"--limit", "time=soon", "testdata/stack-plans/app.json"}, code: 2, want: "--limit time: \"soon\" is not a positive duration"},
		{name: "severity-unknown", args: []string{"--severity", "URGENT", "testdata/stack-plans/app.json"}, code: 2, want: "URGENT"},
		{name: "format-unknown", args: []string{"--format", "pdf", "testdata/stack-plans/app.json"}, code: 2, want: "--format \"pdf\""},
		{name: "path-missing", args: []string{"testdata/no/such/path"}, code: 2, want: "testdata/no/such/path: no such file or directory"},
	}
}

// TestHostileInputs: no panic, no hang, no silent pass. Each case exits as
// it must, says so in one line naming the file, within time and memory bounds.
func TestHostileInputs(t *testing.T) {
	cases := hostileCases()
	if len(cases) < 100 {
		t.Fatalf("the hostile corpus has %d cases; it must keep at least 100", len(cases))
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("two cases named %s", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			caseDir := "testdata/hostile/cases/" + tc.name
			tmp := t.TempDir()
			if tc.setup != nil {
				tc.setup(t, tmp)
				t.Cleanup(func() { os.Chmod(filepath.Join(tmp, "cm.yaml"), 0o644) })
			} else if strings.Contains(strings.Join(tc.args, " "), "CASE") {
				if _, err := os.Stat(filepath.Join(root, caseDir)); err != nil {
					t.Fatalf("corpus case missing (run testdata/hostile/make-corpus.py): %v", err)
				}
			}
			expand := func(s string) string {
				return strings.ReplaceAll(strings.ReplaceAll(s, "CASE", caseDir), "TMP", tmp)
			}
			args := []string{"check", "--limit", "time=" + hostileTimeLimit}
			for _, a := range tc.args {
				args = append(args, expand(a))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, guardBin, args...)
			cmd.Dir = root
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			err := cmd.Run()
			elapsed := time.Since(start)
			if ctx.Err() != nil {
				t.Fatalf("guard did not return within 60 s (its own limit is %s)", hostileTimeLimit)
			}
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			errText := stderr.String()
			if strings.Contains(errText, "panic") || strings.Contains(errText, "goroutine ") || strings.Contains(errText, "internal error") {
				t.Fatalf("guard crashed:\n%s", errText)
			}
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), errText)
			}
			if want := expand(tc.want); want != "" && !strings.Contains(errText, want) {
				t.Errorf("stderr %q, want it to contain %q", errText, want)
			}
			if code == 2 {
				lines := strings.Split(strings.TrimSuffix(errText, "\n"), "\n")
				if len(lines) != 1 || !strings.HasPrefix(lines[0], "guard: ") {
					t.Errorf("want one line starting with \"guard: \", got %d lines:\n%s", len(lines), errText)
				}
			}
			if rusage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && rusage.Maxrss > 1<<20 {
				t.Errorf("peak RSS %d MB, want at most 1024 MB", rusage.Maxrss>>10)
			}
			if elapsed > 30*time.Second {
				t.Errorf("took %s, want at most 30 s", elapsed.Round(time.Second))
			}
		})
	}
}

// TestTofuValidateAgrees: on configurations OpenTofu refuses before it needs
// a provider, guard reports the same first error at the same file and line
// as `tofu validate` (v1.10.6, built by scripts/tools.sh).
func TestTofuValidateAgrees(t *testing.T) {
	tofu := os.Getenv("GUARD_TOFU")
	if tofu == "" {
		t.Skip("GUARD_TOFU is not set (scripts/test.sh builds OpenTofu and sets it)")
	}
	cliConfig := filepath.Join(t.TempDir(), "tofurc")
	if err := os.WriteFile(cliConfig, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	firstError := regexp.MustCompile(`(?m)^Error: (.+)\n\n  on (\S+) line (\d+)`)
	for _, name := range []string{
		"tf-variable-no-label", "tf-module-no-label", "tf-output-no-label", "tf-resource-one-label",
		"tf-resource-three-labels", "tf-duplicate-resource", "tf-duplicate-variable", "tf-duplicate-module",
		"tf-duplicate-local", "tf-attribute-redefined", "tf-unterminated-string", "tf-unclosed-block",
		"tf-unterminated-heredoc", "tf-unknown-block", "tf-top-level-attribute", "tf-override-without-base",
		"tf-json-broken",
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root, "testdata/hostile/cases", name)
			cmd := exec.Command(tofu, "validate", "-no-color")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig)
			out, _ := cmd.CombinedOutput()
			all := firstError.FindAllStringSubmatch(string(out), -1)
			if all == nil {
				t.Fatalf("tofu validate reported no located error:\n%s", out)
			}
			// The same file and line as tofu's first error, and one of the
			// errors tofu lists there (tofu may list a follow-on first:
			// "Incorrect JSON value type" before the trailing comma).
			r := guard(t, "check", "testdata/hostile/cases/"+name)
			got := strings.TrimPrefix(r.stderr, "guard: ")
			var wants []string
			for _, m := range all {
				if m[2] != all[0][2] || m[3] != all[0][3] {
					continue
				}
				want := fmt.Sprintf("%s/%s:%s: %s", "testdata/hostile/cases/"+name, m[2], m[3], m[1])
				wants = append(wants, want)
				if r.code == 2 && strings.HasPrefix(got, want) {
					return
				}
			}
			t.Errorf("guard: exit %d, %q\nwant the message to start with one of %q (tofu validate)", r.code, r.stderr, wants)
		})
	}
}
