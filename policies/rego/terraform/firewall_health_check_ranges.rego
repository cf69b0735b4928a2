# METADATA
# title: Health-check firewall rules admit Google's ranges only
# description: |
#   A rule that opens the nodes to Google's health-check ranges
#   (35.191.0.0/16 and 130.211.0.0/22; 209.85.152.0/22 and 209.85.204.0/22
#   for target-pool network load balancers; their IPv6 ranges) must not also
#   admit any other source:
#   mixing ranges in one rule quietly widens the hole made for health checks.
# custom:
#   id: NET-002
#   severity: MEDIUM
#   controls: ["CIS GCP Foundations v3.0.0 3.6"]
#   remediation: Keep health-check sources in their own rule; move other sources to a rule of their own.
package guard.terraform.firewall_health_check_ranges

import data.guard.lib.terraform as tf

google_ranges := {
	"35.191.0.0/16", "130.211.0.0/22", "209.85.152.0/22", "209.85.204.0/22",
	"2600:2d00:1:b029::/64", "2600:2d00:1:1::/64",
}

deny contains result if {
	some r in tf.resources("google_compute_firewall")
	sources := {s | some s in tf.value(r, ["source_ranges"], []); is_string(s)}
	count(sources & google_ranges) > 0
	others := sources - google_ranges
	count(others) > 0
	result := {"msg": sprintf("firewall %s mixes Google's health-check ranges with %v", [r.address, sort(others)]), "resource": r.id}
}
