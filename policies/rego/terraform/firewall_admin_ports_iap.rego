# METADATA
# title: SSH and RDP reach instances only through Identity-Aware Proxy
# description: |
#   The bastion (and any VM) is administered through IAP's TCP forwarding:
#   an enabled ingress rule that opens SSH (22) or RDP (3389), explicitly, by
#   a port range, or by allowing every port, admits IAP's range 35.235.240.0/20
#   only. Any other source reaches the admin ports directly. Private sources
#   (RFC 1918, RFC 6598) are the VPC's own segmentation unless the
#   trustPrivateSources parameter is false (this platform: IAP only).
# custom:
#   id: NET-004
#   severity: HIGH
#   parameters: [trustPrivateSources]
#   controls: ["CIS GCP Foundations v3.0.0 3.6", "CIS GCP Foundations v3.0.0 3.7"]
#   remediation: Set source_ranges = ["35.235.240.0/20"] on rules that open 22 or 3389, and connect with gcloud compute ssh --tunnel-through-iap.
package guard.terraform.firewall_admin_ports_iap

import data.guard.lib.terraform as tf

iap_range := "35.235.240.0/20"

admin_ports := {22, 3389}

# opens(allow, port): an allow block admits the port (no ports: every port).
opens(allow, _) if {
	lower(allow.protocol) in {"tcp", "all"}
	count(object.get(allow, "ports", [])) == 0
}

opens(allow, port) if {
	lower(allow.protocol) == "tcp"
	some p in allow.ports
	regex.match(`^[0-9]+$`, p)
	to_number(p) == port
}

opens(allow, port) if {
	lower(allow.protocol) == "tcp"
	some p in allow.ports
	regex.match(`^[0-9]+-[0-9]+$`, p)
	[low, high] := split(p, "-")
	to_number(low) <= port
	port <= to_number(high)
}

deny contains result if {
	some r in tf.resources("google_compute_firewall")
	upper(tf.value(r, ["direction"], "INGRESS")) == "INGRESS"
	tf.value(r, ["disabled"], false) != true
	some allow in tf.value(r, ["allow"], [])
	some port in admin_ports
	opens(allow, port)
	some source in tf.firewall_sources(r)
	source != iap_range
	not tf.trusted_private_source(source)
	result := {"msg": sprintf("firewall %s opens port %d to %s: admin ports admit IAP's range %s only", [r.address, port, source_text(source), iap_range]), "resource": r.id}
}

# source_text(s) names a source; a null one is known only after apply (a
# module's input), which may be anything, so it fails closed, and says so.
source_text(s) := "a source known only after apply" if s == null

else := s
