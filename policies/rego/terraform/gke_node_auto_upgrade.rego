# METADATA
# title: GKE node pools auto-upgrade and auto-repair
# description: |
#   Nodes take security patches as the release channel ships them, and broken
#   nodes are replaced without an operator.
# custom:
#   id: GKE-013
#   severity: MEDIUM
#   controls: ["CIS GKE Benchmark v1.6.0 5.5.2", "CIS GKE Benchmark v1.6.0 5.5.3"]
#   remediation: Set management { auto_upgrade = true, auto_repair = true } on every node pool.
package guard.terraform.gke_node_auto_upgrade

import data.guard.lib.terraform as tf

deny contains result if {
	some r in tf.resources("google_container_node_pool")
	some setting in ["auto_upgrade", "auto_repair"]
	path := ["management", 0, setting]
	not tf.unknown(r, path)
	tf.value(r, path, true) != true
	result := {"msg": sprintf("node pool %s (%s): management.%s is off", [r.address, tf.region(r), setting]), "resource": r.id}
}
