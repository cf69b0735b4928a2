package guard.terraform.gke_audit_logging_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_audit_logging as policy

cluster(components) := t.terraform([t.resource("google_container_cluster", "c", {"logging_config": [{"enable_components": components}]})])

test_apiserver_passes if count(policy.deny) == 0 with input as cluster(["SYSTEM_COMPONENTS", "APISERVER"])

test_without_apiserver_fails if count(policy.deny) == 1 with input as cluster(["SYSTEM_COMPONENTS", "WORKLOADS"])

test_no_logging_config_fails if {
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_container_cluster", "c", {"logging_config": []})])
}

test_components_unknown_as_a_whole_warn if {
	r := t.with_unknown(t.resource("google_container_cluster", "c", {"logging_config": [{}]}), {"logging_config": [{"enable_components": true}]})
	count(policy.deny) == 0 with input as t.terraform([r])
	count(policy.warn) == 1 with input as t.terraform([r])
}

test_component_unknown_element_warns if {
	r := t.with_unknown(t.resource("google_container_cluster", "c", {"logging_config": [{"enable_components": ["SYSTEM_COMPONENTS", null]}]}), {"logging_config": [{"enable_components": [false, true]}]})
	count(policy.deny) == 0 with input as t.terraform([r])
	count(policy.warn) == 1 with input as t.terraform([r])
}

test_known_apiserver_beside_unknown_element_passes if {
	r := t.with_unknown(t.resource("google_container_cluster", "c", {"logging_config": [{"enable_components": ["APISERVER", null]}]}), {"logging_config": [{"enable_components": [false, true]}]})
	count(policy.deny) + count(policy.warn) == 0 with input as t.terraform([r])
}
