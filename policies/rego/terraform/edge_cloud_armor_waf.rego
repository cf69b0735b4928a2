# METADATA
# title: Cloud Armor policies block SQL injection and cross-site scripting
# description: |
#   Every Cloud Armor policy (global or regional) in front of the app has
#   enforced (not preview) deny rules with the preconfigured WAF rule sets
#   sqli-v33-stable and xss-v33-stable.
# custom:
#   id: EDGE-001
#   severity: MEDIUM
#   controls: ["OWASP Top 10 2021 A03"]
#   remediation: Add rules with action deny(403) and match.expr evaluatePreconfiguredWaf('sqli-v33-stable') and ('xss-v33-stable').
package guard.terraform.edge_cloud_armor_waf

import data.guard.lib.terraform as tf

required := ["sqli-v33-stable", "xss-v33-stable"]

# rules(r) are a policy's rules: `rule` blocks (global) or `rules` (regional).
rules(r) := array.concat(tf.value(r, ["rule"], []), tf.value(r, ["rules"], []))

blocks(r, waf) if {
	some rule in rules(r)
	startswith(object.get(rule, "action", ""), "deny")
	object.get(rule, "preview", false) != true
	some m in object.get(rule, "match", [])
	some e in object.get(m, "expr", [])
	contains(object.get(e, "expression", ""), sprintf("evaluatePreconfiguredWaf('%s'", [waf]))
}

# rules_unknown: what decides whether a rule blocks (the rules themselves,
# or a rule's action, preview or match) is known only after apply.
rules_unknown(r) if {
	some key in ["rule", "rules"]
	tf.unknown(r, [key])
}

rules_unknown(r) if {
	some key in ["rule", "rules"]
	some i, _ in tf.value(r, [key], [])
	some attr in ["action", "preview", "match"]
	tf.unknown_within(r, [key, i, attr])
}

deny contains result if {
	some type in {"google_compute_security_policy", "google_compute_region_security_policy"}
	some r in tf.resources(type)
	some waf in required
	not blocks(r, waf)
	not rules_unknown(r)
	result := {"msg": sprintf("Cloud Armor policy %s has no enforced deny rule with %s", [r.address, waf]), "resource": r.id}
}
