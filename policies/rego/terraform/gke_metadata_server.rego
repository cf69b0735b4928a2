# METADATA
# title: GKE node pools run the GKE metadata server
# description: |
#   With workload_metadata_config mode GKE_METADATA, pods cannot read the
#   node's credentials or its sensitive instance metadata (kube-env). A node
#   pool that sets no mode in a cluster with Workload Identity runs it: GKE
#   makes GKE_METADATA the default there.
# custom:
#   id: GKE-009
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 5.4.2"]
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
	not metadata_server_by_default(nc, mode)
	not cluster_elsewhere(nc, mode)
	result := {"msg": sprintf("%s exposes node metadata to pods: workload_metadata_config.mode is %v", [nc.what, mode]), "resource": r.id}
}

# A node pool that sets no mode, of a cluster this check does not hold (a
# node-pool module on its own): the cluster decides, unseen.
warn contains result if {
	some nc in tf.node_configs
	r := nc.resource
	path := tf.node_setting(nc, setting)
	not tf.unknown(r, path)
	cluster_elsewhere(nc, tf.value(r, path, "unset"))
	result := {"msg": sprintf("%s sets no workload_metadata_config.mode: it runs the GKE metadata server only if its cluster, which is not in this check, enables Workload Identity", [nc.what]), "resource": r.id}
}

cluster_elsewhere(nc, "unset") if count(tf.node_config_cluster(nc)) == 0

warn contains result if {
	some nc in tf.node_configs
	r := nc.resource
	tf.unknown(r, tf.node_setting(nc, setting))
	result := {"msg": sprintf("%s: the metadata mode is known only after apply", [nc.what]), "resource": r.id}
}

# metadata_server_by_default(nc, "unset"): a node pool that sets no mode
# runs the GKE metadata server where its cluster enables Workload Identity
# (looked up only then: most configurations set the mode).
metadata_server_by_default(nc, "unset") if {
	some c in tf.node_config_cluster(nc)
	pool := tf.value(c, ["workload_identity_config", 0, "workload_pool"], "")
	is_string(pool)
	pool != ""
}

# A workload pool known only after apply ("${var.project_id}.svc.id.goog"
# in a module) is still a workload pool: Workload Identity is on.
metadata_server_by_default(nc, "unset") if {
	some c in tf.node_config_cluster(nc)
	tf.unknown(c, ["workload_identity_config", 0, "workload_pool"])
}
