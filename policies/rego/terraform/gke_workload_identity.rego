# METADATA
# title: GKE clusters use Workload Identity
# description: |
#   Workloads authenticate to Google APIs as their own Google service account
#   through Workload Identity, never as the node's service account.
# custom:
#   id: GKE-008
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 5.2.2"]
#   remediation: Set workload_identity_config { workload_pool = "<project>.svc.id.goog" }.
package guard.terraform.gke_workload_identity

import data.guard.lib.terraform as tf

path := ["workload_identity_config", 0, "workload_pool"]

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not tf.unknown(r, path)
	pool := tf.value(r, path, "")
	not endswith(pool, ".svc.id.goog")
	result := {"msg": sprintf("cluster %s (%s) does not enable Workload Identity (workload_pool %q)", [r.address, tf.region(r), pool]), "resource": r.id}
}

warn contains result if {
	some r in tf.resources("google_container_cluster")
	tf.unknown(r, path)
	result := {"msg": sprintf("cluster %s (%s): the workload pool is known only after apply", [r.address, tf.region(r)]), "resource": r.id}
}
