# METADATA
# title: Firewall rules open only the ports they need
# description: |
#   An ingress allow rule opens named ports, not every port: not protocol
#   "all" (or a protocol number for TCP, UDP or SCTP without ports, which
#   GCP reads as every port of it), not a tcp, udp or sctp entry without
#   ports, and no range wider than 30 ports (Trivy's default). Egress is not
#   checked: GCP's implied egress rule already allows everything. A rule
#   whose sources are all private (RFC 1918, RFC 6598) or network tags and
#   service accounts (the network modules' allow-internal) is the VPC's own
#   segmentation, unless the trustPrivateSources parameter is false.
# custom:
#   id: NET-005
#   severity: MEDIUM
#   parameters: [trustPrivateSources]
#   controls: ["CIS GCP Foundations v3.0.0 3.6"]
#   peers: ["Trivy AVD-GCP-0072", "Trivy AVD-GCP-0074"]
#   remediation: List the ports the targets serve in allow { ports = [...] } (one rule per purpose); split wide ranges into the ports in use.
package guard.terraform.firewall_port_scope

import data.guard.lib.terraform as tf

# max_range is the widest port range allowed, as Trivy's AVD-GCP-0074 has it.
max_range := 30

# ported are the protocols that have ports (by name or IANA number).
ported := {"tcp", "udp", "sctp", "6", "17", "132"}

# ingress_allows are [rule, index, allow entry] of every enabled ingress rule
# (an array: a set would hash every resource it holds).
ingress_allows := [[r, i, entry] |
	some r in tf.resources("google_compute_firewall")
	upper(tf.value(r, ["direction"], "INGRESS")) == "INGRESS"
	tf.value(r, ["disabled"], false) != true
	not tf.internal_rule(r)
	some i, entry in tf.value(r, ["allow"], [])
]

deny contains result if {
	some [r, _, entry] in ingress_allows
	lower(entry.protocol) in {"all", "-1"}
	result := {"msg": sprintf("firewall %s allows every protocol and port (protocol %q)", [r.address, entry.protocol]), "resource": r.id}
}

deny contains result if {
	some [r, i, entry] in ingress_allows
	lower(entry.protocol) in ported
	count(object.get(entry, "ports", [])) == 0
	not tf.unknown_within(r, ["allow", i, "ports"])
	result := {"msg": sprintf("firewall %s allows every %s port (no ports listed)", [r.address, entry.protocol]), "resource": r.id}
}

deny contains result if {
	some [r, _, entry] in ingress_allows
	some port in object.get(entry, "ports", [])
	is_string(port)
	regex.match(`^[0-9]+-[0-9]+$`, port)
	[low, high] := split(port, "-")
	width := (to_number(high) - to_number(low)) + 1
	width > max_range
	result := {"msg": sprintf("firewall %s allows %s ports %s (%d ports; at most %d)", [r.address, entry.protocol, port, width, max_range]), "resource": r.id}
}
