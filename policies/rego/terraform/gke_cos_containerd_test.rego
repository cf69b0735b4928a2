package guard.terraform.gke_cos_containerd_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_cos_containerd as policy

pool(image) := t.terraform([t.resource("google_container_node_pool", "p", {"node_config": [{"image_type": image}]})])

test_cos_containerd_passes if count(policy.deny) == 0 with input as pool("COS_CONTAINERD")

test_ubuntu_fails if count(policy.deny) == 1 with input as pool("UBUNTU_CONTAINERD")

test_unset_image_type_passes if {
	count(policy.deny) == 0 with input as t.terraform([t.resource("google_container_node_pool", "p", {"node_config": [{}]})])
}

test_ubuntu_fails_wherever_declared if {
	every _, placed in t.node_config_placements({"image_type": "UBUNTU_CONTAINERD"}) {
		count(policy.deny) == 1 with input as placed
	}
}

test_cos_passes_wherever_declared if {
	every _, placed in t.node_config_placements({"image_type": "COS_CONTAINERD"}) {
		count(policy.deny) == 0 with input as placed
	}
}

test_removed_default_pool_without_node_config_passes if {
	count(policy.deny) == 0 with input as t.terraform([t.resource("google_container_cluster", "c", {"remove_default_node_pool": true})])
}
