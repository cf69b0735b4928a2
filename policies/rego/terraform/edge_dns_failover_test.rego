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
