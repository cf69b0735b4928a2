# METADATA
# title: Test helpers
# description: Builds inputs for the policies' unit tests.
package guard.lib.testing

import data.guard.lib.kubernetes as k8s
import data.guard.lib.terraform as tf

# resource(type, address, values) is a planned resource with nothing unknown.
resource(type, address, values) := {
	"id": address, "address": address, "type": type, "name": "x", "mode": "managed",
	"action": "create", "module": module_of(address), "stack": "test",
	"config": regex.replace(address, `\[[^\]]*\]`, ""),
	"values": values, "unknown": {}, "sensitive": {}, "references": {},
}

module_of(address) := m if {
	parts := regex.find_all_string_submatch_n(`^(module\.[^.]+(\[[^\]]*\])?)\.`, address, 1)
	count(parts) == 1
	m := parts[0][1]
} else := ""

# terraform(resources) is an input holding these resources only.
terraform(resources) := stack(resources, [])

# k8s_object(manifest, region) is a Kubernetes object rendered for a region ("" for none).
k8s_object(manifest, region) := {
	"id": sprintf("%s/%s/%s", [manifest.kind, object.get(manifest.metadata, "namespace", ""), manifest.metadata.name]),
	"object": manifest, "source": {"file": "t.yaml", "line": 1},
	"release": {"name": "app", "namespace": object.get(manifest.metadata, "namespace", "default"), "chart": "charts/app", "region": region},
}

# stack(resources, objects) is an input with both layers.
stack(resources, objects) := {
	"terraform": {"resources": resources, "by_type": tf.by_type(resources)},
	"kubernetes": {"objects": objects, "by_kind": k8s.by_kind(objects)},
}

# with_unknown(r, unknown) is r with its unknown mirror set (give r no values
# at the unknown paths: plans and guard's HCL reader leave them out).
with_unknown(r, unknown) := object.union(r, {"unknown": unknown})

# node_config_placements(config) are inputs with one node configuration
# (node_config's content) in each place Terraform allows it: a node pool
# resource, a cluster's inline node_pool block, and a cluster's own
# node_config (its default pool kept).
node_config_placements(config) := {
	"node pool": terraform([resource("google_container_node_pool", "p", {"node_config": [config]})]),
	"inline node_pool": terraform([resource("google_container_cluster", "c", {"remove_default_node_pool": true, "node_pool": [{"name": "a", "node_config": [config]}]})]),
	"cluster node_config": terraform([resource("google_container_cluster", "c", {"node_config": [config]})]),
}
