# METADATA
# title: GKE nodes do not use the Compute Engine default service account
# description: |
#   The default compute service account has the Editor role on the project.
#   Node pools (and clusters that define node_config) must name a dedicated,
#   least-privilege service account. An unset service account means the
#   default one; one known only after apply cannot be verified and fails,
#   unless the stack's HCL shows it is a google_service_account it creates.
# custom:
#   id: GKE-006
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 5.2.1"]
#   remediation: Set node_config { service_account = google_service_account.gke_nodes.email }.
package guard.terraform.gke_node_service_account

import data.guard.lib.terraform as tf

path := ["node_config", 0, "service_account"]

# node_configs are the node pools, and the clusters that configure their
# default pool's nodes themselves.
node_configs := array.concat(tf.resources("google_container_node_pool"), [r |
	some r in tf.resources("google_container_cluster")
	count(tf.value(r, ["node_config"], [])) > 0
])

default_account(sa) if sa == "default"

default_account(sa) if endswith(sa, "-compute@developer.gserviceaccount.com")

deny contains result if {
	some r in node_configs
	not tf.unknown(r, path)
	sa := tf.value(r, path, "default")
	default_account(sa)
	result := {
		"msg": sprintf("%s (%s) runs nodes as the Compute Engine default service account (%s)", [r.address, tf.region(r), sa]),
		"resource": r.id,
	}
}

deny contains result if {
	some r in node_configs
	tf.unknown(r, path)
	not tf.refers_to(r, path, "google_service_account")
	result := {
		"msg": sprintf("%s (%s): the node service account is known only after apply; it may be the Compute Engine default service account", [r.address, tf.region(r)]),
		"resource": r.id,
	}
}
