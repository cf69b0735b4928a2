package guard.terraform.gke_metadata_server_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_metadata_server as policy

pool(mode) := t.terraform([t.resource("google_container_node_pool", "p", {"node_config": [{"workload_metadata_config": [{"mode": mode}]}]})])

test_gke_metadata_passes if count(policy.deny) == 0 with input as pool("GKE_METADATA")

test_gce_metadata_fails if count(policy.deny) == 1 with input as pool("GCE_METADATA")

# A node pool on its own (cloud-foundation-fabric's gke-nodepool, its
# cluster elsewhere): unset is its cluster's to decide, a warning.
test_unset_of_a_cluster_elsewhere_warns if {
	lone := t.terraform([t.resource("google_container_node_pool", "p", {"node_config": [{}]})])
	count(policy.deny) == 0 with input as lone
	count(policy.warn) == 1 with input as lone
}

test_unset_in_the_default_pool_fails if {
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_container_cluster", "c", {"node_config": [{}]})])
}

test_unset_with_a_workload_pool_known_after_apply_passes if {
	c := t.with_unknown(t.resource("google_container_cluster", "c", {"name": "gke", "remove_default_node_pool": true, "workload_identity_config": [{}]}), {"workload_identity_config": [{"workload_pool": true}]})
	count(policy.deny) + count(policy.warn) == 0 with input as t.terraform([c, t.resource("google_container_node_pool", "p", {"cluster": "gke", "node_config": [{}]})])
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

wi_cluster := t.resource("google_container_cluster", "c", {"name": "gke", "remove_default_node_pool": true, "workload_identity_config": [{"workload_pool": "p.svc.id.goog"}]})

# terraform-google-kubernetes-engine's node pools set no mode unless asked:
# with Workload Identity on the cluster, GKE runs its metadata server.
test_unset_with_workload_identity_passes if {
	count(policy.deny) == 0 with input as t.terraform([wi_cluster, t.resource("google_container_node_pool", "p", {"cluster": "gke", "node_config": [{}]})])
}

test_unset_in_a_cluster_without_workload_identity_fails if {
	c := t.resource("google_container_cluster", "c", {"name": "gke", "remove_default_node_pool": true})
	count(policy.deny) == 1 with input as t.terraform([c, t.resource("google_container_node_pool", "p", {"cluster": "gke", "node_config": [{}]})])
}

test_gce_metadata_with_workload_identity_fails if {
	p := t.resource("google_container_node_pool", "p", {"cluster": "gke", "node_config": [{"workload_metadata_config": [{"mode": "GCE_METADATA"}]}]})
	count(policy.deny) == 1 with input as t.terraform([wi_cluster, p])
}

# The default node pool that remove_default_node_pool deletes is not checked,
# whatever node_config the cluster writes for it (the public modules do).
test_removed_default_pool_with_node_config_passes if {
	c := t.resource("google_container_cluster", "c", {"remove_default_node_pool": true, "node_config": [{"workload_metadata_config": [{"mode": "GCE_METADATA"}]}]})
	count(policy.deny) == 0 with input as t.terraform([c])
}
