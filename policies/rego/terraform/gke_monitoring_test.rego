package guard.terraform.gke_monitoring_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_monitoring as policy

cluster(values) := t.terraform([t.resource("google_container_cluster", "c", values)])

test_defaults_pass if {
	count(policy.deny) == 0 with input as cluster({})
}

test_platform_components_pass if {
	count(policy.deny) == 0 with input as cluster({"monitoring_config": [{"enable_components": ["SYSTEM_COMPONENTS", "APISERVER"]}]})
}

test_monitoring_none_fails if {
	count(policy.deny) == 1 with input as cluster({"monitoring_service": "none"})
}

test_no_components_fail if {
	count(policy.deny) == 1 with input as cluster({"monitoring_config": [{"enable_components": []}]})
}

test_without_system_components_fails if {
	count(policy.deny) == 1 with input as cluster({"monitoring_config": [{"enable_components": ["APISERVER"]}]})
}

test_unknown_components_are_not_missing if {
	r := t.with_unknown(t.resource("google_container_cluster", "c", {"monitoring_config": [{}]}), {"monitoring_config": [{"enable_components": true}]})
	count(policy.deny) == 0 with input as t.terraform([r])
}
