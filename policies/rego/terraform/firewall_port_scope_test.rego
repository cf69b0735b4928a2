package guard.terraform.firewall_port_scope_test

import data.guard.lib.testing as t
import data.guard.terraform.firewall_port_scope as policy

rule(values) := t.terraform([t.resource("google_compute_firewall", "f", object.union({"direction": "INGRESS", "source_ranges": ["10.0.0.0/8"]}, values))])

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
