# METADATA
# title: GKE control plane has no public endpoint
# description: |
#   The control plane must be reachable on its private endpoint only. A null
#   enable_private_endpoint means a public endpoint (the provider plans a
#   configured false as null) and fails; a value known only after apply (a
#   module's input nobody set) cannot be verified and is a warning. A cluster whose IP endpoint is disabled
#   (control_plane_endpoints_config, DNS endpoint only) has no public one.
# custom:
#   id: GKE-002
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 5.6.4"]
#   remediation: Set private_cluster_config { enable_private_endpoint = true } and reach the control plane through the bastion.
package guard.terraform.gke_private_endpoint

import data.guard.lib.terraform as tf

path := ["private_cluster_config", 0, "enable_private_endpoint"]

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not tf.ip_endpoint_disabled(r)
	not tf.unknown(r, path)
	tf.value(r, path, null) != true
	result := {
		"msg": sprintf("cluster %s (%s) has a public control plane endpoint: enable_private_endpoint is %s", [r.address, tf.region(r), setting(tf.value(r, path, null))]),
		"resource": r.id,
	}
}

# setting(v) says what an unset value means: GKE's public endpoint.
setting(v) := "not set (a public endpoint, GKE's default)" if v == null

else := sprintf("%v", [v])

warn contains result if {
	some r in tf.resources("google_container_cluster")
	not tf.ip_endpoint_disabled(r)
	tf.unknown(r, path)
	result := {
		"msg": sprintf("cluster %s (%s): enable_private_endpoint is known only after apply; whether the control plane is private cannot be verified", [r.address, tf.region(r)]),
		"resource": r.id,
	}
}
