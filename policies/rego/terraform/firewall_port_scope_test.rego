package guard.terraform.firewall_port_scope_test

import data.guard.lib.testing as t
import data.guard.terraform.firewall_port_scope as policy

rule(values) := t.terraform([t.resource("google_compute_firewall", "f", object.union({"direction": "INGRESS", "source_ranges": ["198.51.100.0/24"]}, values))])

internal(values) := t.terraform([t.resource("google_compute_firewall", "f", object.union({"direction": "INGRESS", "source_ranges": ["10.128.0.0/9"]}, values))])

# terraform-google-network's allow-internal: every port from the VPC's own
# ranges, or from tagged instances, is its segmentation by default...
test_internal_allow_all_passes_by_default if {
	count(policy.deny) == 0 with input as internal({"allow": [{"protocol": "all"}]})
	count(policy.deny) == 0 with input as t.terraform([t.resource("google_compute_firewall", "f", {"direction": "INGRESS", "source_tags": ["web"], "allow": [{"protocol": "tcp"}]})])
}

# ...and judged when private sources are not trusted (this platform).
test_internal_allow_all_fails_when_private_sources_are_not_trusted if {
	count(policy.deny) == 1 with input as internal({"allow": [{"protocol": "all"}]}) with data.guard.parameters.trustPrivateSources as false
}

test_named_ports_pass if {
	count(policy.deny) == 0 with input as rule({"allow": [{"protocol": "tcp", "ports": ["8080", "443"]}]})
}

test_narrow_range_passes if {
	count(policy.deny) == 0 with input as rule({"allow": [{"protocol": "tcp", "ports": ["8000-8029"]}]})
}

test_icmp_without_ports_passes if {
	count(policy.deny) == 0 with input as rule({"allow": [{"protocol": "icmp"}]})
}

test_all_protocols_fail if {
	count(policy.deny) == 1 with input as rule({"allow": [{"protocol": "all"}]})
}

test_tcp_without_ports_fails if {
	count(policy.deny) == 1 with input as rule({"allow": [{"protocol": "tcp"}]})
}

test_protocol_number_without_ports_fails if {
	count(policy.deny) == 1 with input as rule({"allow": [{"protocol": "17", "ports": []}]})
}

test_wide_range_fails if {
	count(policy.deny) == 1 with input as rule({"allow": [{"protocol": "tcp", "ports": ["1024-65535"]}]})
}

test_range_of_31_fails if {
	count(policy.deny) == 1 with input as rule({"allow": [{"protocol": "udp", "ports": ["9000-9030"]}]})
}

test_egress_passes if {
	count(policy.deny) == 0 with input as rule({"direction": "EGRESS", "allow": [{"protocol": "all"}]})
}

test_disabled_passes if {
	count(policy.deny) == 0 with input as rule({"disabled": true, "allow": [{"protocol": "all"}]})
}

test_unknown_ports_are_not_missing if {
	r := t.with_unknown(t.resource("google_compute_firewall", "f", {"direction": "INGRESS", "allow": [{"protocol": "tcp"}]}), {"allow": [{"ports": true}]})
	count(policy.deny) == 0 with input as t.terraform([r])
}
