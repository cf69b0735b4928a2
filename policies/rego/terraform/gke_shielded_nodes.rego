# METADATA
# title: GKE clusters use Shielded GKE Nodes
# description: |
#   Shielded GKE Nodes give nodes a verifiable identity and integrity, so a
#   compromised node cannot impersonate another.
# custom:
#   id: GKE-010
#   severity: MEDIUM
#   controls: ["CIS GKE Benchmark v1.6.0 5.5.5"]
#   remediation: Set enable_shielded_nodes = true.
package guard.terraform.gke_shielded_nodes

import data.guard.lib.terraform as tf

deny contains result if {
	some r in tf.resources("google_container_cluster")
	tf.value(r, ["enable_shielded_nodes"], true) == false
	result := {"msg": sprintf("cluster %s (%s) disables Shielded GKE Nodes", [r.address, tf.region(r)]), "resource": r.id}
}
