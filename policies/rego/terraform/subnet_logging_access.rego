# METADATA
# title: Subnets log their flows and reach Google APIs privately
# description: |
#   Every subnet that holds VMs or nodes records VPC Flow Logs (log_config)
#   for investigations, and has Private Google Access, so private nodes and
#   the bastion reach Google's APIs without an external address. GCP's
#   defaults are neither. A subnet whose only users in the check are GKE
#   clusters with public nodes needs no Private Google Access: their nodes
#   reach Google's APIs through their own external addresses. Subnets for proxies (purpose REGIONAL_MANAGED_PROXY,
#   GLOBAL_MANAGED_PROXY, PRIVATE_SERVICE_CONNECT, ...) are exempt: GCP
#   supports neither setting on them.
# custom:
#   id: NET-006
#   severity: MEDIUM
#   controls: ["CIS GCP Foundations v3.0.0 3.8", "CIS GKE Benchmark v1.6.0 5.6.1"]
#   peers: ["Trivy AVD-GCP-0076", "Trivy AVD-GCP-0075", "Trivy AVD-GCP-0029"]
#   remediation: Add log_config { aggregation_interval, flow_sampling, metadata } and set private_ip_google_access = true on the subnet.
package guard.terraform.subnet_logging_access

import data.guard.lib.terraform as tf

# vm_subnets are the subnets VMs and nodes use: purpose unset or PRIVATE (an
# array: a set would hash every resource it holds).
vm_subnets := [r |
	some r in tf.resources("google_compute_subnetwork")
	not tf.unknown(r, ["purpose"])
	upper(tf.value(r, ["purpose"], "PRIVATE")) in {"PRIVATE", "PRIVATE_RFC_1918"}
]

deny contains result if {
	some r in vm_subnets
	not tf.unknown_within(r, ["log_config"])
	count(tf.value(r, ["log_config"], [])) == 0
	result := {"msg": sprintf("subnet %s records no VPC Flow Logs (no log_config)", [r.address]), "resource": r.id}
}

deny contains result if {
	some r in vm_subnets
	not tf.unknown(r, ["private_ip_google_access"])
	tf.value(r, ["private_ip_google_access"], false) != true
	not public_nodes_only(r)
	result := {"msg": sprintf("subnet %s has no Private Google Access: VMs and nodes on it without an external address cannot reach Google's APIs", [r.address]), "resource": r.id}
}

# public_nodes_only(subnet): GKE clusters use the subnet, and none of them
# has private nodes (or a value known only after apply).
public_nodes_only(subnet) if {
	users := [c | some c in tf.resources("google_container_cluster"); on_subnet(c, subnet)]
	count(users) > 0
	every c in users {
		not tf.unknown(c, ["private_cluster_config", 0, "enable_private_nodes"])
		tf.value(c, ["private_cluster_config", 0, "enable_private_nodes"], false) != true
	}
}

# on_subnet(c, subnet): the cluster's subnetwork is the subnet, by reference
# or by name.
on_subnet(c, subnet) if subnet.address in {tf.resource_of_ref(ref) | some ref in tf.refs_at(c, ["subnetwork"])}

on_subnet(c, subnet) if {
	name := tf.value(c, ["subnetwork"], "")
	is_string(name)
	name != ""
	last(split(name, "/")) == tf.value(subnet, ["name"], null)
}

last(parts) := parts[count(parts) - 1]
