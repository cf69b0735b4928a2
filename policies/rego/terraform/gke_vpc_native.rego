# METADATA
# title: GKE clusters are VPC-native
# description: |
#   Pods get addresses from the subnet's secondary ranges (alias IPs), so the
#   VPC routes and firewalls them natively: networking_mode VPC_NATIVE with an
#   ip_allocation_policy.
# custom:
#   id: GKE-007
#   severity: MEDIUM
#   controls: ["CIS GKE Benchmark v1.6.0 5.6.2"]
#   remediation: Set networking_mode = "VPC_NATIVE" and an ip_allocation_policy with the Pods and Services secondary ranges.
package guard.terraform.gke_vpc_native

import data.guard.lib.terraform as tf

vpc_native(r) if {
	tf.value(r, ["networking_mode"], "VPC_NATIVE") == "VPC_NATIVE"
	count(tf.value(r, ["ip_allocation_policy"], [])) > 0
}

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not tf.unknown(r, ["networking_mode"])
	not tf.unknown(r, ["ip_allocation_policy"])
	not vpc_native(r)
	result := {
		"msg": sprintf("cluster %s (%s) is not VPC-native: networking_mode %v, ip_allocation_policy %v", [r.address, tf.region(r), tf.value(r, ["networking_mode"], "unset"), tf.value(r, ["ip_allocation_policy"], [])]),
		"resource": r.id,
	}
}

warn contains result if {
	some r in tf.resources("google_container_cluster")
	some path in [["networking_mode"], ["ip_allocation_policy"]]
	tf.unknown(r, path)
	not vpc_native(r)
	result := {"msg": sprintf("cluster %s (%s): %s is known only after apply", [r.address, tf.region(r), path[0]]), "resource": r.id}
}
