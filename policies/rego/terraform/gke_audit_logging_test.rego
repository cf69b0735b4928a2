package guard.terraform.gke_audit_logging_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_audit_logging as policy

cluster(components) := t.terraform([t.resource("google_container_cluster", "c", {"logging_config": [{"enable_components": components}]})])

apiserver := ["SYSTEM_COMPONENTS", "APISERVER"]

# Generic (no required components): a cluster like a public module's, with
# no logging settings or logging_service = "logging.googleapis.com/kubernetes",
# meets CIS 5.7.1.
test_defaults_pass if count(policy.deny) == 0 with input as t.terraform([t.resource("google_container_cluster", "c", {})])

test_kubernetes_logging_service_passes if {
	count(policy.deny) == 0 with input as t.terraform([t.resource("google_container_cluster", "c", {"logging_service": "logging.googleapis.com/kubernetes"})])
}

test_logging_service_none_fails if {
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_container_cluster", "c", {"logging_service": "none"})])
}

test_no_component_fails if count(policy.deny) == 1 with input as cluster([])

test_workloads_without_apiserver_pass_by_default if count(policy.deny) == 0 with input as cluster(["SYSTEM_COMPONENTS", "WORKLOADS"])

# With requiredLoggingComponents (this platform's [APISERVER, ...]).
test_apiserver_required_passes if {
	count(policy.deny) == 0 with input as cluster(apiserver) with data.guard.parameters.requiredLoggingComponents as ["APISERVER"]
}

test_apiserver_required_fails_without if {
	count(policy.deny) == 1 with input as cluster(["SYSTEM_COMPONENTS", "WORKLOADS"]) with data.guard.parameters.requiredLoggingComponents as ["APISERVER"]
}

test_apiserver_required_fails_on_defaults if {
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_container_cluster", "c", {})]) with data.guard.parameters.requiredLoggingComponents as ["APISERVER"]
}

test_components_unknown_as_a_whole_warn if {
	r := t.with_unknown(t.resource("google_container_cluster", "c", {"logging_config": [{}]}), {"logging_config": [{"enable_components": true}]})
	count(policy.deny) == 0 with input as t.terraform([r]) with data.guard.parameters.requiredLoggingComponents as ["APISERVER"]
	count(policy.warn) == 1 with input as t.terraform([r]) with data.guard.parameters.requiredLoggingComponents as ["APISERVER"]
}

test_component_unknown_element_warns if {
	r := t.with_unknown(t.resource("google_container_cluster", "c", {"logging_config": [{"enable_components": ["SYSTEM_COMPONENTS", null]}]}), {"logging_config": [{"enable_components": [false, true]}]})
	count(policy.deny) == 0 with input as t.terraform([r]) with data.guard.parameters.requiredLoggingComponents as ["APISERVER"]
	count(policy.warn) == 1 with input as t.terraform([r]) with data.guard.parameters.requiredLoggingComponents as ["APISERVER"]
}

test_known_apiserver_beside_unknown_element_passes if {
	r := t.with_unknown(t.resource("google_container_cluster", "c", {"logging_config": [{"enable_components": ["APISERVER", null]}]}), {"logging_config": [{"enable_components": [false, true]}]})
	count(policy.deny) + count(policy.warn) == 0 with input as t.terraform([r]) with data.guard.parameters.requiredLoggingComponents as ["APISERVER"]
}
