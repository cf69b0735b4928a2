package guard.terraform.firewall_admin_ports_iap_test

import data.guard.lib.testing as t
import data.guard.terraform.firewall_admin_ports_iap as policy

rule(sources, allow) := t.terraform([t.resource("google_compute_firewall", "google_compute_firewall.ssh", {"direction": "INGRESS", "source_ranges": sources, "allow": allow})])

ssh := [{"protocol": "tcp", "ports": ["22"]}]

test_ssh_from_iap_passes if count(policy.deny) == 0 with input as rule(["35.235.240.0/20"], ssh)

test_ssh_from_an_office_fails if count(policy.deny) == 1 with input as rule(["203.0.113.0/24"], ssh)

test_ssh_from_iap_and_more_fails if count(policy.deny) == 1 with input as rule(["35.235.240.0/20", "198.51.100.0/24"], ssh)

test_rdp_in_a_range_fails if count(policy.deny) == 1 with input as rule(["198.51.100.0/24"], [{"protocol": "tcp", "ports": ["3000-4000"]}])

test_every_port_fails if count(policy.deny) == 2 with input as rule(["198.51.100.0/24"], [{"protocol": "all"}])

# terraform-google-network's firewall-rules examples: allow-internal from the
# VPC's own ranges is its segmentation, not an exposure (CIS GCP 3.6 is about
# the internet)...
test_ssh_from_the_vpc_passes_by_default if count(policy.deny) == 0 with input as rule(["10.0.0.0/8"], [{"protocol": "all"}])

# ...unless the organisation judges internal rules too (this platform).
test_ssh_from_the_vpc_fails_when_private_sources_are_not_trusted if {
	count(policy.deny) == 2 with input as rule(["10.0.0.0/8", "100.64.0.0/10"], ssh) with data.guard.parameters.trustPrivateSources as false
}

test_serving_port_passes if count(policy.deny) == 0 with input as rule(["130.211.0.0/22"], [{"protocol": "tcp", "ports": ["8080"]}])

test_udp_passes if count(policy.deny) == 0 with input as rule(["10.0.0.0/8"], [{"protocol": "udp", "ports": ["22"]}])

test_disabled_rule_passes if {
	r := t.resource("google_compute_firewall", "f", {"direction": "INGRESS", "disabled": true, "source_ranges": ["0.0.0.0/0"], "allow": ssh})
	count(policy.deny) == 0 with input as t.terraform([r])
}

test_ssh_rule_without_any_source_fails if {
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_compute_firewall", "f", {"direction": "INGRESS", "allow": [{"protocol": "tcp", "ports": ["22"]}]})])
}

test_ssh_rule_from_tagged_sources_passes if {
	count(policy.deny) == 0 with input as t.terraform([t.resource("google_compute_firewall", "f", {"direction": "INGRESS", "allow": [{"protocol": "tcp", "ports": ["22"]}], "source_tags": ["bastion-clients"]})])
}

# A module's firewall rule whose ranges come from an unset input: the source
# is known only after apply, so the rule fails, and the message says so.
test_unknown_source_fails_and_says_so if {
	r := t.with_unknown(t.resource("google_compute_firewall", "google_compute_firewall.ssh", {"direction": "INGRESS", "source_ranges": [null], "allow": ssh}), {"source_ranges": [true]})
	some result in policy.deny with input as t.terraform([r])
	contains(result.msg, "opens port 22 to a source known only after apply")
}
