# METADATA
# title: GKE enforces NetworkPolicies
# description: |
#   NetworkPolicies only take effect when the cluster enforces them: with
#   Dataplane V2 (datapath_provider ADVANCED_DATAPATH) or the legacy
#   network_policy add-on enabled.
# custom:
#   id: GKE-005
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 4.3.1"]
#   remediation: Set datapath_provider = "ADVANCED_DATAPATH" (Dataplane V2).
package guard.terraform.gke_network_policy

import data.guard.lib.terraform as tf

dataplane_v2(r) if tf.value(r, ["datapath_provider"], "") == "ADVANCED_DATAPATH"

network_policy_addon(r) if tf.value(r, ["network_policy", 0, "enabled"], false) == true

undecided(r) if tf.network_policy_unknown(r)

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not dataplane_v2(r)
	not network_policy_addon(r)
	not undecided(r)
	result := {
		"msg": sprintf("cluster %s (%s) does not enforce NetworkPolicies: datapath_provider is %v and the network_policy add-on is off", [r.address, tf.region(r), tf.value(r, ["datapath_provider"], "unset")]),
		"resource": r.id,
	}
}

warn contains result if {
	some r in tf.resources("google_container_cluster")
	undecided(r)
	result := {
		"msg": sprintf("cluster %s (%s): datapath_provider or the network_policy add-on is known only after apply, so NetworkPolicy enforcement cannot be verified", [r.address, tf.region(r)]),
		"resource": r.id,
	}
}
