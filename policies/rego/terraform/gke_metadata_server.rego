# METADATA
# title: GKE node pools run the GKE metadata server
# description: |
#   With workload_metadata_config mode GKE_METADATA, pods cannot read the
#   node's credentials or its sensitive instance metadata (kube-env).
# custom:
#   id: GKE-009
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 5.4.1"]
#   remediation: Set node_config { workload_metadata_config { mode = "GKE_METADATA" } } on every node pool.
package guard.terraform.gke_metadata_server

import data.guard.lib.terraform as tf

path := ["node_config", 0, "workload_metadata_config", 0, "mode"]

deny contains result if {
	some r in tf.resources("google_container_node_pool")
	not tf.unknown(r, path)
	mode := tf.value(r, path, "unset")
	mode != "GKE_METADATA"
	result := {"msg": sprintf("node pool %s (%s) exposes node metadata to pods: workload_metadata_config.mode is %v", [r.address, tf.region(r), mode]), "resource": r.id}
}

warn contains result if {
	some r in tf.resources("google_container_node_pool")
	tf.unknown(r, path)
	result := {"msg": sprintf("node pool %s (%s): the metadata mode is known only after apply", [r.address, tf.region(r)]), "resource": r.id}
}
