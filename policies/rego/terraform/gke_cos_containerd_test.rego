package guard.terraform.gke_cos_containerd_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_cos_containerd as policy

pool(image) := t.terraform([t.resource("google_container_node_pool", "p", {"node_config": [{"image_type": image}]})])

test_cos_containerd_passes if count(policy.deny) == 0 with input as pool("COS_CONTAINERD")

test_ubuntu_fails if count(policy.deny) == 1 with input as pool("UBUNTU_CONTAINERD")
