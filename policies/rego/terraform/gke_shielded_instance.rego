# METADATA
# title: GKE nodes use secure boot and integrity monitoring
# description: |
#   Secure boot refuses unsigned boot components and integrity monitoring
#   detects a changed boot sequence; both must be on in every node pool.
# custom:
#   id: GKE-011
#   severity: MEDIUM
#   controls: ["CIS GKE Benchmark v1.6.0 5.5.6", "CIS GKE Benchmark v1.6.0 5.5.7"]
#   remediation: Set node_config { shielded_instance_config { enable_secure_boot = true, enable_integrity_monitoring = true } }.
package guard.terraform.gke_shielded_instance

import data.guard.lib.terraform as tf

settings := {
	"enable_secure_boot": false, # the provider's default when unset
	"enable_integrity_monitoring": true,
}

deny contains result if {
	some nc in tf.node_configs
	r := nc.resource
	some setting, default_value in settings
	path := tf.node_setting(nc, ["shielded_instance_config", 0, setting])
	not tf.unknown(r, path)
	tf.value(r, path, default_value) != true
	result := {"msg": sprintf("%s: %s is off", [nc.what, setting]), "resource": r.id}
}
