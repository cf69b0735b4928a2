#!/usr/bin/env python3
"""Writes guard's hostile-input corpus: one directory per case under
testdata/hostile/cases/. test/acceptance/hostile_test.go runs guard on each
and asserts the exit code, a one-line message naming the file, no panic,
and time and memory bounds. Cases that need special files (FIFOs,
symlinks to devices, permissions) are made by the test itself.

Run from the repository root: python3 testdata/hostile/make-corpus.py
"""
import json
import os
import shutil

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
shutil.rmtree(ROOT, ignore_errors=True)


def write(case, name, content, mode="w"):
    path = os.path.join(ROOT, case, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(content)


# ---------------------------------------------------------------- Terraform
tf = {
    "tf-variable-no-label": "variable {}\n",
    "tf-module-no-label": 'module {\n  source = "./m"\n}\n',
    "tf-output-no-label": "output {\n  value = 1\n}\n",
    "tf-resource-one-label": 'resource "google_compute_network" {}\n',
    "tf-resource-three-labels": 'resource "a" "b" "c" {}\n',
    "tf-deep-parens": "locals {\n  a = " + "(" * 100000 + "1" + ")" * 100000 + "\n}\n",
    "tf-deep-interpolation": 'locals {\n  a = "${' + "(" * 100000 + "1" + ")" * 100000 + '}"\n}\n',
    "tf-deep-lists": "locals {\n  a = " + "[" * 50000 + "]" * 50000 + "\n}\n",
    "tf-module-self": 'module "self" {\n  source = "./"\n}\n',
    "tf-count-million": 'resource "google_compute_network" "n" {\n  count = 1000000\n  name  = "n${count.index}"\n}\n',
    "tf-count-1e30": 'resource "google_compute_network" "n" {\n  count = 1e30\n}\n',
    "tf-count-negative": 'resource "google_compute_network" "n" {\n  count = -1\n}\n',
    "tf-count-fraction": 'resource "google_compute_network" "n" {\n  count = 1.5\n}\n',
    "tf-count-null": 'resource "google_compute_network" "n" {\n  count = null\n}\n',
    "tf-count-string": 'resource "google_compute_network" "n" {\n  count = "many"\n}\n',
    "tf-count-and-for-each": 'resource "google_compute_network" "n" {\n  count    = 1\n  for_each = {}\n}\n',
    "tf-for-each-list": 'resource "google_compute_network" "n" {\n  for_each = ["a", "b"]\n}\n',
    "tf-for-each-huge": 'resource "google_compute_network" "n" {\n  for_each = toset([for p in setproduct(range(1000), range(150)) : "${p[0]}-${p[1]}"])\n}\n',
    "tf-for-each-null": 'resource "google_compute_network" "n" {\n  for_each = null\n}\n',
    "tf-duplicate-resource": 'resource "google_compute_network" "n" {}\n\nresource "google_compute_network" "n" {}\n',
    "tf-duplicate-variable": 'variable "v" {}\nvariable "v" {}\n',
    "tf-duplicate-module": 'module "m" {\n  source = "./m"\n}\nmodule "m" {\n  source = "./m"\n}\n',
    "tf-duplicate-local": "locals {\n  a = 1\n}\nlocals {\n  a = 2\n}\n",
    "tf-attribute-redefined": 'resource "google_compute_network" "n" {\n  name = "a"\n  name = "b"\n}\n',
    "tf-unterminated-string": 'resource "google_compute_network" "n" {\n  name = "a\n}\n',
    "tf-unclosed-block": 'resource "google_compute_network" "n" {\n  name = "a"\n',
    "tf-unterminated-heredoc": 'locals {\n  a = <<EOT\nno end\n}\n',
    "tf-unknown-function": 'resource "google_compute_network" "n" {\n  name = nosuchfunction("a")\n}\n',
    "tf-failing-validation": 'variable "region" {\n  default = "us-east1"\n  validation {\n    condition     = startswith(var.region, "europe-")\n    error_message = "The platform runs in Europe only."\n  }\n}\n',
    "tf-local-cycle": "locals {\n  a = local.b\n  b = local.a\n}\n",
    "tf-unknown-block": 'resources "google_compute_network" "n" {}\n',
    "tf-top-level-attribute": 'name = "x"\n',
    "tf-file-dev-zero": 'resource "google_compute_network" "n" {\n  description = file("/dev/zero")\n}\n',
    "tf-file-missing": 'resource "google_compute_network" "n" {\n  description = file("nope.txt")\n}\n',
    "tf-templatefile-missing": 'resource "google_compute_network" "n" {\n  description = templatefile("nope.tftpl", {})\n}\n',
    "tf-module-missing-dir": 'module "m" {\n  source = "./nope"\n}\n',
    "tf-registry-module-not-installed": 'module "gke" {\n  source  = "terraform-google-modules/kubernetes-engine/google"\n  version = "~> 30.0"\n}\n',
    "tf-variable-type-mismatch": 'variable "n" {\n  type    = number\n  default = "many"\n}\n',
    "tf-override-without-base": None,
    "tf-json-broken": None,
    "tf-json-dynamic": None,
    "tf-tfvars-broken": None,
    "tf-tfvars-binary": None,
    "tf-binary": None,
    "tf-invalid-utf8": None,
    "tf-module-cycle": None,
    "tf-module-deep": None,
    "tf-missing-module-argument": None,
    "tf-empty": None,
}
for case, content in tf.items():
    if content is not None:
        write(case, "main.tf", content)
write("tf-duplicate-module", "m/main.tf", "")
write("tf-override-without-base", "main.tf", 'resource "google_compute_network" "n" {}\n')
write("tf-override-without-base", "override.tf", 'resource "google_compute_network" "other" {\n  name = "x"\n}\n')
write("tf-json-broken", "main.tf.json", '{"resource": {"google_compute_network": {"n": {"name": "x",}}}}\n')
write("tf-json-dynamic", "main.tf.json", json.dumps({"resource": {"google_compute_firewall": {"f": {"dynamic": {"allow": {"for_each": [1], "content": {"protocol": "tcp"}}}}}}}, indent=2))
write("tf-tfvars-broken", "main.tf", 'variable "v" {}\nresource "google_compute_network" "n" {\n  name = var.v\n}\n')
write("tf-tfvars-broken", "terraform.tfvars", 'v = "unterminated\n')
write("tf-tfvars-binary", "main.tf", 'variable "v" {}\nresource "google_compute_network" "n" {\n  name = var.v\n}\n')
write("tf-tfvars-binary", "terraform.tfvars", "\x00\x01\x02\x7f" * 64)
write("tf-binary", "main.tf", "".join(chr(i % 256) for i in range(4096)), mode="w")
write("tf-invalid-utf8", "main.tf", b'resource "google_compute_network" "n" {\n  name = "\xff\xfe"\n}\n', mode="wb")
write("tf-module-cycle", "main.tf", 'module "a" {\n  source = "./a"\n}\n')
write("tf-module-cycle", "a/main.tf", 'module "b" {\n  source = "../b"\n}\n')
write("tf-module-cycle", "b/main.tf", 'module "a" {\n  source = "../a"\n}\n')
path = "tf-module-deep"
for i in range(40):
    write(case="tf-module-deep", name="/".join(["m"] * i + ["main.tf"]), content='module "m" {\n  source = "./m"\n}\n')
write("tf-module-deep", "/".join(["m"] * 40 + ["main.tf"]), 'resource "google_compute_network" "n" {}\n')
write("tf-missing-module-argument", "main.tf", 'module "m" {\n  source = "./m"\n}\n')
write("tf-missing-module-argument", "m/main.tf", 'variable "required" {}\nresource "google_compute_network" "n" {\n  name = var.required\n}\n')
write("tf-empty", "main.tf", "")

# --------------------------------------------------------------------- plans
with open(os.path.join(os.path.dirname(ROOT), "..", "stack-plans", "app.json")) as f:
    BASE = f.read()


def plan(case, fn):
    p = json.loads(BASE)
    fn(p)
    write(case, "plan.json", json.dumps(p))


def rc(p, i):
    return p["resource_changes"][i]


plan("plan-null-change", lambda p: p["resource_changes"].insert(1, None))
plan("plan-null-planned", lambda p: p["planned_values"]["root_module"]["resources"].append(None))
plan("plan-null-child-module", lambda p: p["planned_values"]["root_module"].setdefault("child_modules", []).append(None))
plan("plan-after-list", lambda p: rc(p, 0)["change"].update(after=[1, 2]))
plan("plan-after-string", lambda p: rc(p, 0)["change"].update(after="x"))
plan("plan-after-number", lambda p: rc(p, 0)["change"].update(after=5))
plan("plan-after-unknown-string", lambda p: rc(p, 0)["change"].update(after_unknown="x"))
plan("plan-unknown-action", lambda p: rc(p, 1)["change"].update(actions=["explode"]))
plan("plan-no-actions", lambda p: rc(p, 1)["change"].update(actions=[]))
plan("plan-three-actions", lambda p: rc(p, 1)["change"].update(actions=["create", "delete", "create"]))
plan("plan-duplicate-address", lambda p: p["resource_changes"].append(rc(p, 1)))
plan("plan-no-change", lambda p: rc(p, 1).pop("change"))
plan("plan-change-string", lambda p: rc(p, 1).update(change="x"))
plan("plan-changes-object", lambda p: p.update(resource_changes={}))
plan("plan-format-version", lambda p: p.update(format_version="9.0"))
plan("plan-format-version-number", lambda p: p.update(format_version=1.2))
plan("plan-unknown-mode", lambda p: rc(p, 0).update(mode="ephemeralish"))
plan("plan-empty-address", lambda p: rc(p, 0).update(address=""))
plan("plan-entry-is-string", lambda p: p["resource_changes"].insert(0, "google_compute_network.vpc"))
plan("plan-planned-values-array", lambda p: p.update(planned_values=[]))


write("plan-deep-values", "plan.json", BASE.replace('"after":{', '"after":{"deep":' + '{"x":' * 20000 + "{}" + "}" * 20000 + ",", 1).replace('"after": {', '"after": {"deep": ' + '{"x":' * 20000 + "{}" + "}" * 20000 + ", ", 1))
write("plan-truncated", "plan.json", BASE[: len(BASE) // 2])
write("plan-trailing-garbage", "plan.json", BASE.strip() + "}garbage")
write("plan-binary", "plan.json", '{"format_version": "1.2", "resource_changes": [' + "\x00" * 100 + "]}")
write("plan-nan", "plan.json", BASE.replace('"timeout":600', '"timeout":NaN', 1))
write("plan-empty", "plan.json", "")

# ----------------------------------------------------------------- manifests
cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
manifests = {
    "yaml-unclosed-flow": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: [a\ndata:\n  a: b\n",
    "yaml-tab-indent": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n",
    "yaml-unterminated-quote": cm + '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "y\n',
    "yaml-bad-mapping": "a: b\nc: d\n  e: f\n",
    "yaml-duplicate-key": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n",
    "yaml-no-kind": "apiVersion: v1\nmetadata:\n  name: x\n",
    "yaml-no-api-version": "kind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: nginx\n    securityContext:\n      privileged: true\n",
    "yaml-scalar": "hello\n",
    "yaml-only-separators": "---\n---\n---\n",
    "yaml-empty": "",
    "yaml-list-items-no-kind": "apiVersion: v1\nkind: List\nitems:\n- metadata:\n    name: x\n  spec:\n    containers:\n    - name: a\n      image: nginx\n      securityContext:\n        privileged: true\n",
    "yaml-list-items-scalars": "apiVersion: v1\nkind: List\nitems:\n- a\n- b\n",
    "yaml-kind-number": "apiVersion: v1\nkind: 5\nmetadata:\n  name: x\n",
    "yaml-kind-empty": 'apiVersion: v1\nkind: ""\nmetadata:\n  name: x\n',
    "yaml-metadata-list": "apiVersion: v1\nkind: Pod\nmetadata:\n- name: x\nspec:\n  containers: []\n",
    "yaml-name-number": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 5\n",
    "yaml-containers-not-list": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  namespace: default\nspec:\n  containers: yes-please\n",
    "yaml-labels-list": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels:\n  - a\n",
    "yaml-billion-laughs": "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    + "".join(f"{chr(98+i)}: &{chr(98+i)} [*{chr(97+i)},*{chr(97+i)},*{chr(97+i)},*{chr(97+i)},*{chr(97+i)},*{chr(97+i)},*{chr(97+i)},*{chr(97+i)},*{chr(97+i)}]\n" for i in range(8))
    + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    "yaml-deep-flow": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: " + "[" * 100000 + "]" * 100000 + "\n",
    "yaml-deep-block": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(1000)),
    "yaml-many-documents": "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n" for i in range(2000)),
    "yaml-unknown-tag": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: !!binary x\n",
    "yaml-merge-key-loop": "a: &a\n  <<: *a\n",
}
for case, content in manifests.items():
    write(case, "manifest.yaml", content)
write("yaml-invalid-utf8", "manifest.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \xff\xfe\n", mode="wb")
write("yaml-binary", "manifest.yaml", "".join(chr(i % 256) for i in range(2048)))
write("yaml-bom-utf16", "manifest.yaml", "\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n".encode("utf-16"), mode="wb")
write("json-manifest-broken", "manifest.json", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x",}}\n')
write("json-deep", "manifest.json", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": ' + "[" * 20000 + "]" * 20000 + "}\n")
write("walk-broken-yaml-beside-good", "good.yaml", cm)
write("walk-broken-yaml-beside-good", "broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: [a\n")
write("walk-unsupported-file-named", "notes.txt", "hello\n")

# -------------------------------------------------------------------- charts
chart = "apiVersion: v2\nname: c\nversion: 0.1.0\n"
write("chart-missing-dependency", "Chart.yaml", chart + "dependencies:\n  - name: redis\n    version: 1.0.0\n    repository: https://charts.example.com\n    condition: redis.enabled\n")
write("chart-missing-dependency", "templates/cm.yaml", cm)
write("chart-renders-no-kind", "Chart.yaml", chart)
write("chart-renders-no-kind", "templates/pod.yaml", cm + "---\nmetadata:\n  name: hidden\nspec:\n  containers:\n  - name: a\n    image: nginx\n    securityContext:\n      privileged: true\n")
write("chart-template-syntax", "Chart.yaml", chart)
write("chart-template-syntax", "templates/cm.yaml", "{{ if }}\n" + cm)
write("chart-template-fail", "Chart.yaml", chart)
write("chart-template-fail", "templates/cm.yaml", '{{ fail "no" }}\n')
write("chart-schema-violation", "Chart.yaml", chart)
write("chart-schema-violation", "values.yaml", "replicas: many\n")
write("chart-schema-violation", "values.schema.json", json.dumps({"type": "object", "properties": {"replicas": {"type": "integer"}}}))
write("chart-schema-violation", "templates/cm.yaml", cm)
write("chart-yaml-broken", "Chart.yaml", "apiVersion: v2\nname: [c\n")
write("chart-yaml-broken", "templates/cm.yaml", cm)
write("chart-api-version-v3", "Chart.yaml", "apiVersion: v3\nname: c\nversion: 0.1.0\n")
write("chart-api-version-v3", "templates/cm.yaml", cm)
write("chart-kube-version", "Chart.yaml", chart + 'kubeVersion: "<1.20.0"\n')
write("chart-kube-version", "templates/cm.yaml", cm)
write("chart-recursive-template", "Chart.yaml", chart)
write("chart-recursive-template", "templates/_helpers.tpl", '{{- define "loop" -}}{{ include "loop" . }}{{- end -}}\n')
write("chart-recursive-template", "templates/cm.yaml", '{{ include "loop" . }}\n')
write("chart-many-documents", "Chart.yaml", chart)
write("chart-many-documents", "templates/cm.yaml", "{{- range until 200000 }}\n---\n" + cm.replace("name: x", "name: c{{ . }}") + "{{- end }}\n")
write("chart-broken-subchart", "Chart.yaml", chart)
write("chart-broken-subchart", "templates/cm.yaml", cm)
write("chart-broken-subchart", "charts/sub-0.1.0.tgz", "not a gzip archive")
write("chart-values-file-broken", "Chart.yaml", chart)
write("chart-values-file-broken", "values.yaml", "a: [b\n")
write("chart-values-file-broken", "templates/cm.yaml", cm)
write("chart-release-missing", "main.tf", 'resource "helm_release" "app" {\n  name  = "app"\n  chart = "./nope"\n}\n')
write("chart-release-values-broken", "main.tf", 'resource "helm_release" "app" {\n  name   = "app"\n  chart  = "./chart"\n  values = ["a: [b"]\n}\n')
write("chart-release-values-broken", "chart/Chart.yaml", chart)
write("chart-release-values-broken", "chart/templates/cm.yaml", cm)

# ------------------------------------------------------------------ policies
meta = "# METADATA\n# title: t\n# custom:\n#   id: T-001\n#   severity: HIGH\n"
write("rego-syntax", "p.rego", meta + "package t\n\ndeny contains x if {\n")
write("rego-http-send", "p.rego", meta + 'package t\n\ndeny contains "reachable" if {\n\thttp.send({"method": "GET", "url": "http://example.com"}).status_code == 200\n}\n')
write("rego-net-lookup", "p.rego", meta + 'package t\n\ndeny contains "x" if {\n\tcount(net.lookup_ip_addr("example.com")) > 0\n}\n')
write("rego-time-now", "p.rego", meta + 'package t\n\ndeny contains "late" if {\n\ttime.now_ns() > 0\n}\n')
write("rego-opa-runtime", "p.rego", meta + 'package t\n\ndeny contains "x" if {\n\topa.runtime().env.HOME\n}\n')
write("rego-divide-by-zero", "p.rego", meta + "package t\n\ndeny contains \"x\" if {\n\tsome r in input.terraform.resources\n\t1 / (count(r.values) - count(r.values)) > 0\n}\n")
write("rego-builtin-type-error", "p.rego", meta + "package t\n\ndeny contains \"x\" if {\n\tsome r in input.terraform.resources\n\tlower(r.values) == \"\"\n}\n")
write("rego-no-id", "p.rego", "# METADATA\n# title: t\n# custom:\n#   severity: HIGH\npackage t\n\ndeny contains \"x\" if false\n")
write("rego-no-severity", "p.rego", "# METADATA\n# title: t\n# custom:\n#   id: T-001\npackage t\n\ndeny contains \"x\" if false\n")
write("rego-deny-not-a-set", "p.rego", meta + "package t\n\ndeny := 5\n")
write("rego-result-without-msg", "p.rego", meta + 'package t\n\ndeny contains {"resource": r.id} if {\n\tsome r in input.terraform.resources\n}\n')
write("rego-binary", "p.rego", "".join(chr(i % 256) for i in range(1024)))
write("rego-duplicate-id", "a.rego", meta + "package a\n\ndeny contains \"x\" if false\n")
write("rego-duplicate-id", "b.rego", meta + "package b\n\ndeny contains \"x\" if false\n")
write("rego-conflicting-rules", "p.rego", meta + 'package t\n\nx := 1 if true\n\nx := 2 if true\n\ndeny contains "y" if x == 1\n')
vpol = """apiVersion: policies.kyverno.io/v1
kind: ValidatingPolicy
metadata:
  name: t
  annotations:
    policies.kyverno.io/severity: high
spec:
  validationActions: [Deny]
  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: [v1]
        operations: [CREATE]
        resources: [configmaps]
  validations:
    - expression: "EXPR"
"""
write("kyverno-cel-syntax", "policy.yaml", vpol.replace("EXPR", "object.metadata.name == "))
write("kyverno-cel-type", "policy.yaml", vpol.replace("EXPR", "object.metadata.name + 1"))
write("kyverno-cel-runtime", "policy.yaml", vpol.replace("EXPR", "object.data.missing == 'x'"))
write("kyverno-cel-runtime", "input/configmap.yaml", cm)
write("kyverno-no-severity", "policy.yaml", vpol.replace("    policies.kyverno.io/severity: high\n", "    x: y\n").replace("EXPR", "true"))
write("kyverno-yaml-broken", "policy.yaml", vpol.replace("EXPR", "true").replace("  name: t", "  name: [t"))
write("kyverno-exception-cel", "policy.yaml", vpol.replace("EXPR", "true"))
def exception(policy, condition=None, governed=True):
    """A PolicyException of policy; condition a broken CEL matchCondition."""
    text = "apiVersion: policies.kyverno.io/v1\nkind: PolicyException\nmetadata:\n  name: x\n  namespace: kyverno\n"
    if governed:
        text += "  annotations:\n    guard.acme.example/owner: a@example.com\n    guard.acme.example/reason: test\n"
    text += "spec:\n"
    if governed:
        text += '  expiresAt: "2099-01-01T00:00:00Z"\n'
    text += f"  policyRefs:\n    - name: {policy}\n      kind: ValidatingPolicy\n"
    if condition:
        text += f'  matchConditions:\n    - name: broken\n      expression: "{condition}"\n'
    return text


write("kyverno-exception-cel", "exceptions/x.yaml", exception("t", "object.metadata.namespace =="))
write("kyverno-exception-unknown-policy", "policy.yaml", vpol.replace("EXPR", "true"))
write("kyverno-exception-unknown-policy", "exceptions/x.yaml", exception("nope"))
write("kyverno-exception-no-owner", "policy.yaml", vpol.replace("EXPR", "true"))
write("kyverno-exception-no-owner", "exceptions/x.yaml", exception("t", governed=False))
write("policy-dir-empty", "README.md", "no policies here\n")
