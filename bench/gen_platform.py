#!/usr/bin/env python3
"""Generates a scaled copy of the platform for the peer benchmarks.

    gen_platform.py REGIONS RELEASES OUT_DIR

- OUT_DIR/plan.json: the reference base plan (testdata/plans/base.json) with
  its `region` module instantiated REGIONS times (r0, r1, ...); every odd
  region's cluster enables legacy ABAC (one GKE-004 violation each).
- OUT_DIR/manifests.yaml: the app chart as rendered for the primary region
  (taken from `guard inspect stacks/app`, passed in on stdin as JSON),
  deployed RELEASES times into namespaces app-0, app-1, ...; every odd
  release's Deployment runs a privileged container (one K8S-001 violation).
- OUT_DIR/values.yaml: the namespaces' labels, for `kyverno apply`.
"""
import copy, json, sys

regions, releases, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]

plan = json.load(open("testdata/plans/base.json"))
template = [rc for rc in plan["resource_changes"] if rc.get("module_address") == 'module.region["primary"]']
others = [rc for rc in plan["resource_changes"] if not rc.get("module_address")]
changes = list(others)
for i in range(regions):
    key = f'module.region["r{i}"]'
    for rc in template:
        c = copy.deepcopy(rc)
        c["address"] = c["address"].replace('module.region["primary"]', key)
        c["module_address"] = key
        if c["type"] == "google_container_cluster" and i % 2 == 1:
            c["change"]["after"]["enable_legacy_abac"] = True
        changes.append(c)
plan["resource_changes"] = changes
plan["planned_values"]["root_module"]["child_modules"] = []
json.dump(plan, open(f"{out}/plan.json", "w"))

rendered = json.load(sys.stdin)
app = [o["object"] for o in rendered["kubernetes"]["objects"] if o["release"]["region"] == "primary"]
docs = []
for i in range(releases):
    ns = f"app-{i}"
    for obj in app:
        o = copy.deepcopy(obj)
        if o["kind"] == "Namespace":
            o["metadata"]["name"] = ns
        else:
            o["metadata"]["namespace"] = ns
        if o["kind"] == "Deployment" and i % 2 == 1:
            o["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] = True
        docs.append(o)
with open(f"{out}/manifests.yaml", "w") as f:
    f.write("\n---\n".join(json.dumps(d) for d in docs))
labels = {f"pod-security.kubernetes.io/{m}": "restricted" for m in ("enforce", "audit", "warn")}
with open(f"{out}/values.yaml", "w") as f:
    json.dump({"apiVersion": "cli.kyverno.io/v1alpha1", "kind": "Value", "metadata": {"name": "values"},
               "namespaceSelector": [{"name": f"app-{i}", "labels": labels} for i in range(releases)]}, f)
print(json.dumps({"resources": len(changes), "objects": len(docs)}))
