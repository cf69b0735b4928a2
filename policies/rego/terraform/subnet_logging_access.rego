# METADATA
# title: Subnets log their flows and reach Google APIs privately
# description: |
#   Every subnet that holds VMs or nodes records VPC Flow Logs (log_config)
#   for investigations, and has Private Google Access, so private nodes and
#   the bastion reach Google's APIs without an external address. GCP's
#   defaults are neither. Subnets for proxies (purpose REGIONAL_MANAGED_PROXY,
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
	result := {"msg": sprintf("subnet %s has no Private Google Access: private nodes reach Google APIs only through an external address", [r.address]), "resource": r.id}
}
