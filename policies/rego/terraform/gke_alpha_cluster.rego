# METADATA
# title: GKE clusters are not alpha clusters
# description: |
#   An alpha cluster enables Kubernetes alpha APIs and features, gets no
#   upgrades or SLA and is deleted after 30 days: never for production. A
#   value known only after apply cannot be verified: a warning.
# custom:
#   id: GKE-018
#   severity: MEDIUM
#   controls: ["CIS GKE Benchmark v1.6.0 5.10.2"]
#   remediation: Remove enable_kubernetes_alpha (or set it to false).
package guard.terraform.gke_alpha_cluster

import data.guard.lib.terraform as tf

deny contains result if {
	some r in tf.resources("google_container_cluster")
	tf.value(r, ["enable_kubernetes_alpha"], false) == true
	result := {"msg": sprintf("cluster %s (%s) is an alpha cluster (enable_kubernetes_alpha)", [r.address, tf.region(r)]), "resource": r.id}
}

warn contains result if {
	some r in tf.resources("google_container_cluster")
	tf.unknown(r, ["enable_kubernetes_alpha"])
	result := {"msg": sprintf("cluster %s (%s): enable_kubernetes_alpha is known only after apply; whether it is an alpha cluster cannot be verified", [r.address, tf.region(r)]), "resource": r.id}
}
