package guard.stack.region_parity_test

import data.guard.lib.testing as t
import data.guard.stack.region_parity as policy

hardened := {
	"private_cluster_config": [{"enable_private_nodes": true, "enable_private_endpoint": true}],
	"master_authorized_networks_config": [{"cidr_blocks": [{"cidr_block": "192.168.100.0/28"}]}],
	"datapath_provider": "ADVANCED_DATAPATH",
	"release_channel": [{"channel": "REGULAR"}],
	"workload_identity_config": [{"workload_pool": "p.svc.id.goog"}],
	"binary_authorization": [{"evaluation_mode": "PROJECT_SINGLETON_POLICY_ENFORCE"}],
	"logging_config": [{"enable_components": ["SYSTEM_COMPONENTS", "APISERVER"]}],
	"networking_mode": "VPC_NATIVE", "ip_allocation_policy": [{}],
}

clusters(primary, secondary) := t.terraform([
	t.resource("google_container_cluster", `module.region["primary"].google_container_cluster.this`, primary),
	t.resource("google_container_cluster", `module.region["secondary"].google_container_cluster.this`, secondary),
])

test_identical_regions_pass if {
	count(policy.deny) == 0 with input as clusters(hardened, hardened)
}

test_different_release_channel_fails if {
	some f in policy.deny with input as clusters(hardened, object.union(hardened, {"release_channel": [{"channel": "STABLE"}]}))
	contains(f.msg, "release channel differs")
	f.resource == `module.region["secondary"].google_container_cluster.this`
}

test_component_order_does_not_matter_pass if {
	count(policy.deny) == 0 with input as clusters(hardened, object.union(hardened, {"logging_config": [{"enable_components": ["APISERVER", "SYSTEM_COMPONENTS"]}]}))
}

# A public endpoint in one region is GKE-002's finding, not a second one here.
test_difference_owned_by_its_rule_passes if {
	count(policy.deny) == 0 with input as clusters(hardened, object.union(hardened, {"private_cluster_config": [{"enable_private_nodes": true, "enable_private_endpoint": null}]}))
}

test_node_pool_difference_fails if {
	pool := {"node_config": [{"image_type": "COS_CONTAINERD", "oauth_scopes": ["https://www.googleapis.com/auth/cloud-platform"]}]}
	count(policy.deny) == 1 with input as t.terraform([
		t.resource("google_container_node_pool", `module.region["primary"].google_container_node_pool.default`, pool),
		t.resource("google_container_node_pool", `module.region["secondary"].google_container_node_pool.default`, {"node_config": [{"image_type": "COS_CONTAINERD", "oauth_scopes": ["https://www.googleapis.com/auth/compute"]}]}),
	])
}

# Two copies of one stack in a check (two plans) give two primaries: still one baseline.
test_two_primaries_pass if {
	count(policy.deny) == 0 with input as t.terraform([
		t.resource("google_container_cluster", `module.region["primary"].google_container_cluster.this`, hardened),
		t.resource("google_container_cluster", `module.region["primary"].google_container_cluster.this#2`, hardened),
		t.resource("google_container_cluster", `module.region["secondary"].google_container_cluster.this`, hardened),
	])
}
