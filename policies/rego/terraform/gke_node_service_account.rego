# METADATA
# title: GKE nodes do not use the Compute Engine default service account
# description: |
#   The default compute service account has the Editor role on the project.
#   Node pools (a cluster's default pool too, unless remove_default_node_pool
#   deletes it) must name a dedicated, least-privilege service account. An unset service account means the
#   default one; one known only after apply cannot be verified (a warning),
#   unless the stack's HCL shows it is a google_service_account it creates.
# custom:
#   id: GKE-006
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 5.2.1"]
#   remediation: Set node_config { service_account = google_service_account.gke_nodes.email }.
package guard.terraform.gke_node_service_account

import data.guard.lib.terraform as tf

setting := ["service_account"]

default_account(sa) if sa == "default"

default_account(sa) if endswith(sa, "-compute@developer.gserviceaccount.com")

# Every node configuration: node pools, a cluster's inline pools, and its
# default pool's unless remove_default_node_pool deletes it (tf.node_configs).
deny contains result if {
	some nc in tf.node_configs
	r := nc.resource
	path := tf.node_setting(nc, setting)
	not tf.unknown(r, path)
	sa := tf.value(r, path, "default")
	default_account(sa)
	result := {
		"msg": sprintf("%s runs nodes as the Compute Engine default service account (%s)", [nc.what, sa]),
		"resource": r.id,
	}
}

# A plan of a pool that sets no service account: the provider plans it as
# unknown, and GKE uses the Compute Engine default.
deny contains result if {
	some nc in tf.node_configs
	r := nc.resource
	path := tf.node_setting(nc, setting)
	tf.computed_default(r, path)
	result := {
		"msg": sprintf("%s sets no service account: its nodes run as the Compute Engine default service account", [nc.what]),
		"resource": r.id,
	}
}

warn contains result if {
	some nc in tf.node_configs
	r := nc.resource
	path := tf.node_setting(nc, setting)
	tf.unknown(r, path)
	not tf.computed_default(r, path)
	not tf.refers_to(r, path, "google_service_account")
	result := {
		"msg": sprintf("%s: the node service account is known only after apply; it may be the Compute Engine default service account", [nc.what]),
		"resource": r.id,
	}
}
