# METADATA
# title: No firewall rule admits the whole internet
# description: |
#   An ingress rule that allows traffic from 0.0.0.0/0 (or ::/0) exposes the
#   targets to everyone. Load balancers and IAP have their own source ranges.
#   An ingress rule with no source_ranges, source_tags or
#   source_service_accounts is open to everyone too: GCP then applies
#   0.0.0.0/0.
# custom:
#   id: NET-001
#   severity: HIGH
#   controls: ["CIS GCP Foundations v3.0.0 3.6", "CIS GCP Foundations v3.0.0 3.7"]
#   peers: ["Trivy AVD-GCP-0027"]
#   remediation: Restrict source_ranges to the load balancer, health-check or IAP ranges that need access.
package guard.terraform.firewall_open_ingress

import data.guard.lib.terraform as tf

anywhere := {"0.0.0.0/0", "::/0"}

deny contains result if {
	some r in tf.resources("google_compute_firewall")
	upper(tf.value(r, ["direction"], "INGRESS")) == "INGRESS"
	tf.value(r, ["disabled"], false) != true
	count(tf.value(r, ["allow"], [])) > 0
	some cidr in tf.value(r, ["source_ranges"], [])
	cidr in anywhere
	result := {"msg": sprintf("firewall %s allows ingress from %s", [r.address, cidr]), "resource": r.id}
}

# An ingress rule that names no source at all: GCP's default is 0.0.0.0/0.
deny contains result if {
	some r in tf.resources("google_compute_firewall")
	upper(tf.value(r, ["direction"], "INGRESS")) == "INGRESS"
	tf.value(r, ["disabled"], false) != true
	count(tf.value(r, ["allow"], [])) > 0
	count(tf.value(r, ["source_ranges"], [])) == 0
	tf.firewall_sources(r) == ["0.0.0.0/0"]
	result := {"msg": sprintf("firewall %s allows ingress and names no source_ranges, source_tags or source_service_accounts: GCP applies 0.0.0.0/0", [r.address]), "resource": r.id}
}

warn contains result if {
	some r in tf.resources("google_compute_firewall")
	tf.unknown_within(r, ["source_ranges"])
	result := {"msg": sprintf("firewall %s: source ranges are known only after apply", [r.address]), "resource": r.id}
}
