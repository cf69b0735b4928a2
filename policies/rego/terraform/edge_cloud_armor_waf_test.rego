package guard.terraform.edge_cloud_armor_waf_test

import data.guard.lib.testing as t
import data.guard.terraform.edge_cloud_armor_waf as policy

waf(name, action, preview) := {
	"action": action, "preview": preview, "priority": 1000,
	"match": [{"expr": [{"expression": sprintf("evaluatePreconfiguredWaf('%s', {'sensitivity': 1})", [name])}]}],
}

test_regional_policy_with_both_passes if {
	count(policy.deny) == 0 with input as t.terraform([t.resource("google_compute_region_security_policy", "p", {"rules": [
		waf("sqli-v33-stable", "deny(403)", false),
		waf("xss-v33-stable", "deny(403)", false),
	]})])
}

test_global_policy_without_xss_fails if {
	some f in policy.deny with input as t.terraform([t.resource("google_compute_security_policy", "p", {"rule": [waf("sqli-v33-stable", "deny(403)", false)]})])
	contains(f.msg, "xss-v33-stable")
}

test_preview_rule_fails if {
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_compute_region_security_policy", "p", {"rules": [
		waf("sqli-v33-stable", "deny(403)", true),
		waf("xss-v33-stable", "deny(403)", false),
	]})])
}

test_allow_action_fails if {
	count(policy.deny) == 2 with input as t.terraform([t.resource("google_compute_region_security_policy", "p", {"rules": [
		waf("sqli-v33-stable", "allow", false),
		waf("xss-v33-stable", "allow", false),
	]})])
}

test_rules_unknown_as_a_whole_pass if {
	r := t.with_unknown(t.resource("google_compute_region_security_policy", "p", {}), {"rules": true})
	count(policy.deny) == 0 with input as t.terraform([r])
}

test_rule_with_unknown_expression_passes if {
	r := t.with_unknown(
		t.resource("google_compute_region_security_policy", "p", {"rules": [{"action": "deny(403)", "match": [{"expr": [{}]}]}]}),
		{"rules": [{"match": [{"expr": [{"expression": true}]}]}]},
	)
	count(policy.deny) == 0 with input as t.terraform([r])
}

# A computed attribute of a rule does not hide that no rule blocks.
test_computed_rule_attribute_still_fails if {
	r := t.with_unknown(
		t.resource("google_compute_region_security_policy", "p", {"rules": [waf("sqli-v33-stable", "deny(403)", false)]}),
		{"rules": [{"description": true}]},
	)
	count(policy.deny) == 1 with input as t.terraform([r])
}
