package guard.terraform.firewall_health_check_ranges_test

import data.guard.lib.testing as t
import data.guard.terraform.firewall_health_check_ranges as policy

rule(sources) := t.terraform([t.resource("google_compute_firewall", "f", {"source_ranges": sources})])

test_google_ranges_pass if count(policy.deny) == 0 with input as rule(["35.191.0.0/16", "130.211.0.0/22"])

# The ranges of legacy (target-pool) network load balancers' health checks,
# as GKE's and cloud-foundation-fabric's firewall rules list them.
test_network_load_balancer_ranges_pass if {
	count(policy.deny) == 0 with input as rule(["35.191.0.0/16", "130.211.0.0/22", "209.85.152.0/22", "209.85.204.0/22"])
}

test_mixed_ranges_fail if count(policy.deny) == 1 with input as rule(["35.191.0.0/16", "10.0.0.0/8"])

test_unrelated_rule_passes if count(policy.deny) == 0 with input as rule(["10.0.0.0/8"])

test_unknown_element_is_not_another_range if {
	r := t.with_unknown(t.resource("google_compute_firewall", "f", {"source_ranges": ["35.191.0.0/16", null]}), {"source_ranges": [false, true]})
	count(policy.deny) == 0 with input as t.terraform([r])
}
