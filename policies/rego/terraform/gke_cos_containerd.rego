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

setting := ["image_type"]

# GKE uses COS_CONTAINERD when image_type is unset.
deny contains result if {
	some nc in tf.node_configs
	r := nc.resource
	path := tf.node_setting(nc, setting)
	not tf.unknown(r, path)
	image := tf.value(r, path, "COS_CONTAINERD")
	upper(image) != "COS_CONTAINERD"
	result := {"msg": sprintf("%s uses image type %v, not COS_CONTAINERD", [nc.what, image]), "resource": r.id}
}

warn contains result if {
	some nc in tf.node_configs
	r := nc.resource
	tf.unknown(r, tf.node_setting(nc, setting))
	result := {"msg": sprintf("%s: the image type is known only after apply", [nc.what]), "resource": r.id}
}
