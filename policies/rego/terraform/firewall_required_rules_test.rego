package guard.terraform.firewall_required_rules_test

import data.guard.lib.testing as t
import data.guard.terraform.firewall_required_rules as policy

vpc := t.resource("google_compute_network", "google_compute_network.vpc", {"name": "prod-vpc"})

cluster := t.resource("google_container_cluster", `module.region["primary"].google_container_cluster.this`, {"network": "projects/p/global/networks/prod-vpc"})

waf := t.resource("google_compute_region_security_policy", `module.region["primary"].google_compute_region_security_policy.waf`, {"name": "waf", "region": "europe-west1"})

proxy_only := t.resource("google_compute_subnetwork", `module.region["primary"].google_compute_subnetwork.proxy_only`, {"network": "prod-vpc", "purpose": "REGIONAL_MANAGED_PROXY", "ip_cidr_range": "10.129.0.0/23"})

rule(name, ranges) := t.resource("google_compute_firewall", name, {"network": "prod-vpc", "direction": "INGRESS", "source_ranges": ranges, "allow": [{"protocol": "tcp", "ports": ["8080"]}]})

health := rule("google_compute_firewall.allow_health_checks", ["130.211.0.0/22", "35.191.0.0/16"])

proxies := rule("google_compute_firewall.allow_proxy_only", ["10.129.0.0/23"])

test_both_rules_pass if count(policy.deny) == 0 with input as t.terraform([vpc, waf, cluster, proxy_only, health, proxies])

test_missing_health_check_rule_fails if {
	some f in policy.deny with input as t.terraform([vpc, waf, cluster, proxy_only, proxies])
	contains(f.msg, "health-check")
}

test_missing_proxy_only_rule_fails if {
	some f in policy.deny with input as t.terraform([vpc, waf, cluster, proxy_only, health])
	contains(f.msg, "proxy-only")
}

test_disabled_rule_fails if {
	disabled := object.union(health, {"values": {"disabled": true}})
	count(policy.deny) == 1 with input as t.terraform([vpc, waf, cluster, proxy_only, disabled, proxies])
}

test_rule_on_another_network_fails if {
	elsewhere := object.union(health, {"values": {"network": "other-vpc"}})
	count(policy.deny) == 1 with input as t.terraform([vpc, waf, cluster, proxy_only, elsewhere, proxies])
}

test_network_by_reference_passes if {
	ref := {"network": ["google_compute_network.vpc.self_link"]}
	c := object.union(t.with_unknown(object.union(cluster, {"values": {"network": null}}), {"network": true}), {"references": ref})
	h := object.union(t.with_unknown(object.union(health, {"values": {"network": null}}), {"network": true}), {"references": ref})
	p := object.union(t.with_unknown(object.union(proxies, {"values": {"network": null}}), {"network": true}), {"references": ref})
	s := object.union(t.with_unknown(object.union(proxy_only, {"values": {"network": null}}), {"network": true}), {"references": ref})
	count(policy.deny) == 0 with input as t.terraform([vpc, waf, c, s, h, p])
	count(policy.deny) == 1 with input as t.terraform([vpc, waf, c, s, p])
}

test_unknown_sources_warn if {
	u := t.with_unknown(object.union(health, {"values": {"source_ranges": null}}), {"source_ranges": true})
	count(policy.deny) == 0 with input as t.terraform([vpc, waf, cluster, proxy_only, u, proxies])
	count(policy.warn) == 1 with input as t.terraform([vpc, waf, cluster, proxy_only, u, proxies])
}

test_no_cluster_no_requirement if count(policy.deny) == 0 with input as t.terraform([vpc, proxy_only])

test_proxy_only_subnet_without_regional_load_balancer_needs_no_rule if {
	count(policy.deny) == 0 with input as t.terraform([vpc, cluster, proxy_only, health])
}
