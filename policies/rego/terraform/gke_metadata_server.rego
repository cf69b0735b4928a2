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

setting := ["workload_metadata_config", 0, "mode"]

deny contains result if {
	some nc in tf.node_configs
	r := nc.resource
	path := tf.node_setting(nc, setting)
	not tf.unknown(r, path)
	mode := tf.value(r, path, "unset")
	mode != "GKE_METADATA"
	result := {"msg": sprintf("%s exposes node metadata to pods: workload_metadata_config.mode is %v", [nc.what, mode]), "resource": r.id}
}

warn contains result if {
	some nc in tf.node_configs
	r := nc.resource
	tf.unknown(r, tf.node_setting(nc, setting))
	result := {"msg": sprintf("%s: the metadata mode is known only after apply", [nc.what]), "resource": r.id}
}
