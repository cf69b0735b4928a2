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

test_unknown_account_fails if {
	some f in policy.deny with input as pool({"node_config": [{}]}, {"node_config": [{"service_account": true}]})
	contains(f.msg, "known only after apply")
}

test_cluster_node_config_checked if {
	count(policy.deny) == 1 with input as {"terraform": {"resources": [{
		"id": "c", "address": "c", "type": "google_container_cluster", "mode": "managed",
		"action": "create", "module": "", "values": {"node_config": [{"service_account": "default"}]}, "unknown": {},
	}]}}
}

test_cluster_without_node_config_ignored if {
	count(policy.deny) == 0 with input as {"terraform": {"resources": [{
		"id": "c", "address": "c", "type": "google_container_cluster", "mode": "managed",
		"action": "create", "module": "", "values": {"node_config": []}, "unknown": {},
	}]}}
}

test_unknown_account_of_dedicated_resource_passes if {
	count(policy.deny) == 0 with input as {"terraform": {"resources": [{
		"id": "p", "address": "p", "type": "google_container_node_pool", "mode": "managed",
		"action": "config", "module": "", "values": {"node_config": [{}]}, "unknown": {"node_config": [{"service_account": true}]},
		"references": {"node_config": [{"service_account": ["google_service_account.gke_nodes.email"]}]},
	}]}}
}
