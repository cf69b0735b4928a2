# METADATA
# title: GKE nodes are private
# description: |
#   Cluster nodes must have internal IP addresses only, so that they cannot be
#   reached from the internet; egress goes through Cloud NAT.
# custom:
#   id: GKE-001
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 5.6.5"]
#   remediation: Set private_cluster_config { enable_private_nodes = true } on the cluster.
package guard.terraform.gke_private_nodes

import data.guard.lib.terraform as tf

path := ["private_cluster_config", 0, "enable_private_nodes"]

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not tf.unknown(r, path)
	tf.value(r, path, false) != true
	result := {
		"msg": sprintf("cluster %s (%s) has public nodes: private_cluster_config.enable_private_nodes is not true", [r.address, tf.region(r)]),
		"resource": r.id,
	}
}

warn contains result if {
	some r in tf.resources("google_container_cluster")
	tf.unknown(r, path)
	result := {
		"msg": sprintf("cluster %s (%s): enable_private_nodes is known only after apply, so private nodes cannot be verified", [r.address, tf.region(r)]),
		"resource": r.id,
	}
}
