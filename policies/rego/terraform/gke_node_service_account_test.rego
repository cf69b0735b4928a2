package guard.terraform.gke_node_service_account_test

import data.guard.terraform.gke_node_service_account as policy

pool(values, unknown) := {"terraform": {"resources": [{
	"id": "p", "address": "p", "type": "google_container_node_pool", "mode": "managed",
	"action": "create", "module": "", "values": values, "unknown": unknown,
}]}}

test_dedicated_account_passes if {
	count(policy.deny) == 0 with input as pool({"node_config": [{"service_account": "nodes@p.iam.gserviceaccount.com"}]}, {})
}

test_unset_account_fails if {
	count(policy.deny) == 1 with input as pool({"node_config": [{"service_account": null}]}, {})
}

test_named_default_account_fails if {
	count(policy.deny) == 1 with input as pool({"node_config": [{"service_account": "123-compute@developer.gserviceaccount.com"}]}, {})
}

# HCL: an account from a module input nobody set is unknown, no more.
test_unknown_account_warns if {
	r := object.union(pool({"node_config": [{}]}, {"node_config": [{"service_account": true}]}).terraform.resources[0], {"action": "config"})
	count(policy.deny) == 0 with input as {"terraform": {"resources": [r]}}
	some f in policy.warn with input as {"terraform": {"resources": [r]}}
	contains(f.msg, "known only after apply")
}

test_cluster_node_config_checked if {
	count(policy.deny) == 1 with input as {"terraform": {"resources": [{
		"id": "c", "address": "c", "type": "google_container_cluster", "mode": "managed",
		"action": "create", "module": "", "values": {"node_config": [{"service_account": "default"}]}, "unknown": {},
	}]}}
}

cluster(values) := {"terraform": {"resources": [{
	"id": "c", "address": "c", "type": "google_container_cluster", "mode": "managed",
	"action": "create", "module": "", "values": values, "unknown": {},
}]}}

# The default pool runs as the default account unless node_config says
# otherwise, and is checked unless remove_default_node_pool deletes it (as
# cloud-foundation-fabric's gke-cluster-standard does by default).
test_default_pool_without_node_config_fails if count(policy.deny) == 1 with input as cluster({"node_config": []})

test_removed_default_pool_ignored if {
	count(policy.deny) == 0 with input as cluster({"node_config": [], "remove_default_node_pool": true})
}

# An inline node_pool is the default pool (terraform-google-kubernetes-engine's
# default-pool): its node_config is checked, the cluster's is not.
test_inline_pool_is_the_default_pool if {
	findings := policy.deny with input as cluster({"node_config": [], "node_pool": [{"node_config": [{"service_account": "default"}]}]})
	count(findings) == 1
	some f in findings
	contains(f.msg, "node_pool[0]")
}

test_inline_pool_with_dedicated_account_passes if {
	count(policy.deny) == 0 with input as cluster({"node_config": [], "node_pool": [{"node_config": [{"service_account": "nodes@p.iam.gserviceaccount.com"}]}]})
}

# A plan of a pool with no service_account in its configuration: unknown
# (the provider computes it), no expression behind it: GKE's default.
test_plan_without_an_account_fails if {
	r := object.union(pool({"node_config": [{}]}, {"node_config": [{"service_account": true}]}).terraform.resources[0], {"action": "create"})
	some f in policy.deny with input as {"terraform": {"resources": [r]}}
	contains(f.msg, "sets no service account")
}

# The same, the account coming from a resource of the stack: unknown only.
test_plan_account_from_a_resource_is_unknown_only if {
	r := object.union(pool({"node_config": [{}]}, {"node_config": [{"service_account": true}]}).terraform.resources[0], {"action": "create", "references": {"node_config": [{"service_account": ["module.iam.google_service_account_iam_member.x.member"]}]}})
	count(policy.deny) == 0 with input as {"terraform": {"resources": [r]}}
	count(policy.warn) == 1 with input as {"terraform": {"resources": [r]}}
}
