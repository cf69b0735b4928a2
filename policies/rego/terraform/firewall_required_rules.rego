# METADATA
# title: The firewall rules the platform needs exist on the clusters' network
# description: |
#   GKE's load balancers reach the nodes from two places the VPC denies by
#   default: Google's health-check ranges (130.211.0.0/22, 35.191.0.0/16),
#   without which every backend is unhealthy (a global load balancer's
#   traffic comes from the same ranges), and, in a region served by a
#   regional Application Load Balancer (it has a regional Cloud Armor
#   policy), the proxy-only subnet its proxies connect from. Each needs an
#   enabled ingress allow rule on the network the clusters use. Deleting
#   either takes the app down in that region.
# custom:
#   id: NET-003
#   severity: HIGH
#   profile: two-region-gke
#   controls: ["Platform: load balancer to nodes"]
#   remediation: Keep an INGRESS allow firewall on the cluster network from 130.211.0.0/22 and 35.191.0.0/16, and one from every proxy-only subnet's range, to the nodes.
package guard.terraform.firewall_required_rules

import data.guard.lib.terraform as tf

health_check_ranges := {"130.211.0.0/22", "35.191.0.0/16"}

# network(r) identifies the network r is on: the google_compute_network it
# refers to, else the network resource its value names, else the value.
network(r) := tf.resource_of_ref(ref) if {
	some ref in tf.refs_at(r, ["network"])
	tf.resource_ref_type(ref) == "google_compute_network"
} else := n.address if {
	v := tf.value(r, ["network"], "")
	some n in tf.resources("google_compute_network")
	last(split(v, "/")) == tf.value(n, ["name"], "")
} else := tf.value(r, ["network"], "")

last(parts) := parts[count(parts) - 1]

ingress_allow(network_id) := [fw |
	some fw in tf.resources("google_compute_firewall")
	network(fw) == network_id
	upper(tf.value(fw, ["direction"], "INGRESS")) == "INGRESS"
	tf.value(fw, ["disabled"], false) != true
	count(tf.value(fw, ["allow"], [])) > 0
]

sources(fw) := {s | some s in tf.value(fw, ["source_ranges"], []); is_string(s)}

# unverifiable(network_id): a rule on the network has sources known only after apply.
unverifiable(network_id) if {
	some fw in ingress_allow(network_id)
	tf.unknown_within(fw, ["source_ranges"])
}

cluster_networks := {network(c) | some c in tf.resources("google_container_cluster"); network(c) != ""}

admits(network_id, ranges) if {
	some fw in ingress_allow(network_id)
	count(ranges - sources(fw)) == 0
}

deny contains result if {
	some id in cluster_networks
	not unverifiable(id)
	not admits(id, health_check_ranges)
	some c in tf.resources("google_container_cluster")
	network(c) == id
	result := {"msg": sprintf("network %s of cluster %s has no enabled ingress rule admitting Google's health-check ranges %v: every load-balanced backend would be unhealthy", [id, c.address, sort(health_check_ranges)]), "resource": c.id}
}

# regional_load_balancer(s): the subnet's region is served by a regional
# Application Load Balancer (a regional Cloud Armor policy is attached to it).
regional_load_balancer(s) if {
	some p in tf.resources("google_compute_region_security_policy")
	tf.region(p) == tf.region(s)
}

deny contains result if {
	some s in tf.resources("google_compute_subnetwork")
	tf.value(s, ["purpose"], "") in {"REGIONAL_MANAGED_PROXY", "INTERNAL_HTTPS_LOAD_BALANCER"}
	regional_load_balancer(s)
	range := tf.value(s, ["ip_cidr_range"], "")
	range != ""
	id := network(s)
	id in cluster_networks
	not unverifiable(id)
	not admits(id, {range})
	result := {"msg": sprintf("network %s has no enabled ingress rule admitting the proxy-only subnet %s (%s): the load balancer's proxies cannot reach the nodes", [id, s.address, range]), "resource": s.id}
}

warn contains result if {
	some c in tf.resources("google_container_cluster")
	id := network(c)
	id in cluster_networks
	unverifiable(id)
	result := {"msg": sprintf("network %s of cluster %s: firewall sources are known only after apply, so the health-check and proxy-only rules cannot be verified", [id, c.address]), "resource": c.id}
}
