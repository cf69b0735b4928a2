# METADATA
# title: GKE nodes run Container-Optimized OS with containerd
# description: |
#   COS_CONTAINERD is the hardened, minimal node image GKE maintains, with a
#   read-only root file system and automatic security patches.
# custom:
#   id: GKE-012
#   severity: MEDIUM
#   controls: ["CIS GKE Benchmark v1.6.0 5.5.1"]
#   remediation: Set node_config { image_type = "COS_CONTAINERD" }.
package guard.terraform.gke_cos_containerd

import data.guard.lib.terraform as tf

path := ["node_config", 0, "image_type"]

deny contains result if {
	some r in tf.resources("google_container_node_pool")
	not tf.unknown(r, path)
	image := tf.value(r, path, "unset")
	upper(image) != "COS_CONTAINERD"
	result := {"msg": sprintf("node pool %s (%s) uses image type %v, not COS_CONTAINERD", [r.address, tf.region(r), image]), "resource": r.id}
}

warn contains result if {
	some r in tf.resources("google_container_node_pool")
	tf.unknown(r, path)
	result := {"msg": sprintf("node pool %s (%s): the image type is known only after apply", [r.address, tf.region(r)]), "resource": r.id}
}
