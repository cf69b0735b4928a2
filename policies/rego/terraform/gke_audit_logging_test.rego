package guard.terraform.gke_audit_logging_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_audit_logging as policy

cluster(components) := t.terraform([t.resource("google_container_cluster", "c", {"logging_config": [{"enable_components": components}]})])

test_apiserver_passes if count(policy.deny) == 0 with input as cluster(["SYSTEM_COMPONENTS", "APISERVER"])

test_without_apiserver_fails if count(policy.deny) == 1 with input as cluster(["SYSTEM_COMPONENTS", "WORKLOADS"])

test_no_logging_config_fails if {
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_container_cluster", "c", {"logging_config": []})])
}
