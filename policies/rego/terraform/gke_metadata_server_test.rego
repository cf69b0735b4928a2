package guard.terraform.gke_metadata_server_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_metadata_server as policy

pool(mode) := t.terraform([t.resource("google_container_node_pool", "p", {"node_config": [{"workload_metadata_config": [{"mode": mode}]}]})])

test_gke_metadata_passes if count(policy.deny) == 0 with input as pool("GKE_METADATA")

test_gce_metadata_fails if count(policy.deny) == 1 with input as pool("GCE_METADATA")

test_unset_fails if {
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_container_node_pool", "p", {"node_config": [{}]})])
}

test_gce_metadata_fails_wherever_declared if {
	every _, placed in t.node_config_placements({"workload_metadata_config": [{"mode": "GCE_METADATA"}]}) {
		count(policy.deny) == 1 with input as placed
	}
}

test_gke_metadata_passes_wherever_declared if {
	every _, placed in t.node_config_placements({"workload_metadata_config": [{"mode": "GKE_METADATA"}]}) {
		count(policy.deny) == 0 with input as placed
	}
}

test_removed_default_pool_without_node_config_passes if {
	count(policy.deny) == 0 with input as t.terraform([t.resource("google_container_cluster", "c", {"remove_default_node_pool": true})])
}
