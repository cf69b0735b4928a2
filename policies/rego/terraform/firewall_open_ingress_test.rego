package guard.terraform.firewall_open_ingress_test

import data.guard.lib.testing as t
import data.guard.terraform.firewall_open_ingress as policy

rule(values) := t.terraform([t.resource("google_compute_firewall", "f", values)])

test_iap_only_passes if {
	count(policy.deny) == 0 with input as rule({"direction": "INGRESS", "allow": [{"protocol": "tcp"}], "source_ranges": ["35.235.240.0/20"]})
}

test_anywhere_fails if {
	count(policy.deny) == 1 with input as rule({"direction": "INGRESS", "allow": [{"protocol": "tcp"}], "source_ranges": ["0.0.0.0/0"]})
}

test_deny_rule_from_anywhere_passes if {
	count(policy.deny) == 0 with input as rule({"direction": "INGRESS", "allow": [], "deny": [{"protocol": "all"}], "source_ranges": ["0.0.0.0/0"]})
}

test_egress_passes if {
	count(policy.deny) == 0 with input as rule({"direction": "EGRESS", "allow": [{"protocol": "tcp"}], "source_ranges": ["0.0.0.0/0"]})
}

test_ranges_unknown_as_a_whole_warn if {
	r := t.with_unknown(t.resource("google_compute_firewall", "f", {"direction": "INGRESS", "allow": [{"protocol": "tcp"}]}), {"source_ranges": true})
	count(policy.warn) == 1 with input as t.terraform([r])
}

test_range_with_unknown_element_warns if {
	r := t.with_unknown(t.resource("google_compute_firewall", "f", {"direction": "INGRESS", "allow": [{"protocol": "tcp"}], "source_ranges": ["10.0.0.0/8", null]}), {"source_ranges": [false, true]})
	count(policy.deny) == 0 with input as t.terraform([r])
	count(policy.warn) == 1 with input as t.terraform([r])
}

test_no_source_at_all_fails if {
	count(policy.deny) == 1 with input as rule({"direction": "INGRESS", "allow": [{"protocol": "tcp", "ports": ["443"]}]})
}

test_unset_direction_without_source_fails if {
	count(policy.deny) == 1 with input as rule({"allow": [{"protocol": "tcp", "ports": ["443"]}], "source_ranges": []})
}

test_source_tags_alone_pass if {
	count(policy.deny) == 0 with input as rule({"direction": "INGRESS", "allow": [{"protocol": "tcp"}], "source_tags": ["lb"]})
}

test_source_service_accounts_alone_pass if {
	count(policy.deny) == 0 with input as rule({"direction": "INGRESS", "allow": [{"protocol": "tcp"}], "source_service_accounts": ["a@p.iam.gserviceaccount.com"]})
}

test_unknown_source_tags_are_not_missing if {
	r := t.with_unknown(t.resource("google_compute_firewall", "f", {"direction": "INGRESS", "allow": [{"protocol": "tcp"}]}), {"source_tags": true})
	count(policy.deny) == 0 with input as t.terraform([r])
}
