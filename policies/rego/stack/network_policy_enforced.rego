# METADATA
# title: NetworkPolicies land on clusters that enforce them
# description: |
#   A NetworkPolicy is only an API object on a cluster without Dataplane V2 or
#   the network_policy add-on: it isolates nothing. Each NetworkPolicy a
#   release deploys to a region must land on that region's cluster, and that
#   cluster must enforce NetworkPolicies.
# custom:
#   id: STK-003
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 4.3.1"]
#   remediation: Enable Dataplane V2 (datapath_provider = "ADVANCED_DATAPATH") on the region's cluster.
package guard.stack.network_policy_enforced

import data.guard.lib.terraform as tf

network_policies := [o |
	some o in input.kubernetes.objects
	o.object.kind == "NetworkPolicy"
	o.release.region
]

deny contains result if {
	some o in network_policies
	some cluster in tf.role_cluster(o.release.region)
	not tf.enforces_network_policy(cluster)
	not tf.network_policy_unknown(cluster)
	result := {
		"msg": sprintf("NetworkPolicy %s/%s is not enforced: it lands on %s, which has neither Dataplane V2 nor the network_policy add-on", [o.object.metadata.namespace, o.object.metadata.name, cluster.address]),
		"resource": o.id,
	}
}

warn contains result if {
	count(tf.resources("google_container_cluster")) > 0
	some o in network_policies
	count(tf.role_cluster(o.release.region)) == 0
	result := {
		"msg": sprintf("NetworkPolicy %s/%s: no cluster for region %q in the input, so its enforcement cannot be verified", [o.object.metadata.namespace, o.object.metadata.name, o.release.region]),
		"resource": o.id,
	}
}
