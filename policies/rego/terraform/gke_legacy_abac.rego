# METADATA
# title: GKE legacy ABAC is disabled
# description: |
#   Legacy attribute-based access control grants broad, static permissions
#   that bypass RBAC. It must be off; a value known only after apply cannot be verified: a warning.
# custom:
#   id: GKE-004
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 5.8.3"]
#   remediation: Set enable_legacy_abac = false (or leave it unset).
package guard.terraform.gke_legacy_abac

import data.guard.lib.terraform as tf

deny contains result if {
	some r in tf.resources("google_container_cluster")
	tf.value(r, ["enable_legacy_abac"], false) == true
	result := {
		"msg": sprintf("cluster %s (%s) enables legacy ABAC", [r.address, tf.region(r)]),
		"resource": r.id,
	}
}

warn contains result if {
	some r in tf.resources("google_container_cluster")
	tf.unknown(r, ["enable_legacy_abac"])
	result := {
		"msg": sprintf("cluster %s (%s): enable_legacy_abac is known only after apply; whether legacy ABAC is off cannot be verified", [r.address, tf.region(r)]),
		"resource": r.id,
	}
}
