package guard.terraform.edge_dns_failover_test

import data.guard.lib.testing as t
import data.guard.terraform.edge_dns_failover as policy

record(ttl, backup_location) := t.resource("google_dns_record_set", "r", {"ttl": ttl, "routing_policy": [{
	"health_check": "projects/p/global/healthChecks/hc",
	"primary_backup": [{
		"primary": [{"external_endpoints": ["203.0.113.10"]}],
		"backup_geo": [{"location": backup_location, "health_checked_targets": [{"external_endpoints": ["203.0.113.20"]}]}],
	}],
}]})

primary_cluster := t.resource("google_container_cluster", `module.region["primary"].google_container_cluster.this`, {"location": "europe-west1"})

test_failover_to_other_region_passes if {
	count(policy.deny) == 0 with input as t.terraform([primary_cluster, record(30, "europe-west4")])
}

test_long_ttl_fails if {
	some f in policy.deny with input as t.terraform([primary_cluster, record(300, "europe-west4")])
	contains(f.msg, "TTL is 300")
}

test_backup_in_primary_region_fails if {
	some f in policy.deny with input as t.terraform([primary_cluster, record(30, "europe-west1")])
	contains(f.msg, "primary cluster's own region")
}

test_no_backup_fails if {
	r := t.resource("google_dns_record_set", "r", {"ttl": 30, "routing_policy": [{"health_check": "hc", "primary_backup": [{
		"primary": [{"external_endpoints": ["203.0.113.10"]}],
		"backup_geo": [],
	}]}]})
	count(policy.deny) == 1 with input as t.terraform([r])
}

# The gateway address is created in the same apply: a real plan marks the
# endpoints unknown as a whole, HCL gives a list holding an unknown element.
unknown_targets(unknown) := t.with_unknown(
	t.resource("google_dns_record_set", "r", {"ttl": 30, "routing_policy": [{
		"health_check": "hc",
		"primary_backup": [{
			"primary": [{"internal_load_balancers": []}],
			"backup_geo": [{"location": "europe-west4", "health_checked_targets": [{"internal_load_balancers": []}]}],
		}],
	}]}),
	{"routing_policy": [{"primary_backup": [{"primary": [{"external_endpoints": unknown}], "backup_geo": [{"health_checked_targets": [{"external_endpoints": unknown}]}]}]}]},
)

test_targets_unknown_as_a_whole_pass if {
	count(policy.deny) == 0 with input as t.terraform([primary_cluster, unknown_targets(true)])
}

test_targets_with_unknown_element_pass if {
	count(policy.deny) == 0 with input as t.terraform([primary_cluster, unknown_targets([true])])
}

test_known_empty_targets_fail if {
	r := t.resource("google_dns_record_set", "r", {"ttl": 30, "routing_policy": [{"health_check": "hc", "primary_backup": [{
		"primary": [{"external_endpoints": [], "internal_load_balancers": []}],
		"backup_geo": [{"location": "europe-west4"}],
	}]}]})
	some f in policy.deny with input as t.terraform([primary_cluster, r])
	contains(f.msg, "no primary targets")
}

test_unknown_backup_passes if {
	r := t.with_unknown(
		t.resource("google_dns_record_set", "r", {"ttl": 30, "routing_policy": [{"health_check": "hc", "primary_backup": [{"primary": [{"external_endpoints": ["203.0.113.10"]}]}]}]}),
		{"routing_policy": [{"primary_backup": [{"backup_geo": true}]}]},
	)
	count(policy.deny) == 0 with input as t.terraform([primary_cluster, r])
}

test_unknown_ttl_passes if {
	r := t.with_unknown(object.union(record(30, "europe-west4"), {"values": object.remove(record(30, "europe-west4").values, ["ttl"])}), {"ttl": true})
	count(policy.deny) == 0 with input as t.terraform([primary_cluster, r])
}
