package guard.terraform.gke_shielded_nodes_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_shielded_nodes as policy

test_shielded_passes if {
	count(policy.deny) == 0 with input as t.terraform([t.resource("google_container_cluster", "c", {"enable_shielded_nodes": true})])
}

test_default_passes if {
	count(policy.deny) == 0 with input as t.terraform([t.resource("google_container_cluster", "c", {})])
}

test_disabled_fails if {
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_container_cluster", "c", {"enable_shielded_nodes": false})])
}
