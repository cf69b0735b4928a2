package guard.terraform.gke_private_nodes_test

import data.guard.terraform.gke_private_nodes as policy

cluster(values, unknown) := {"terraform": {"resources": [{
	"id": "c", "address": "c", "type": "google_container_cluster", "mode": "managed",
	"action": "create", "module": "", "values": values, "unknown": unknown,
}]}}

test_private_nodes_pass if {
	count(policy.deny) == 0 with input as cluster({"private_cluster_config": [{"enable_private_nodes": true}]}, {})
}

test_public_nodes_fail if {
	count(policy.deny) == 1 with input as cluster({"private_cluster_config": [{"enable_private_nodes": false}]}, {})
}

test_missing_block_fails if {
	count(policy.deny) == 1 with input as cluster({"private_cluster_config": []}, {})
}

test_unknown_warns if {
	count(policy.deny) == 0 with input as cluster({"private_cluster_config": [{}]}, {"private_cluster_config": [{"enable_private_nodes": true}]})
	some f in policy.warn with input as cluster({"private_cluster_config": [{}]}, {"private_cluster_config": [{"enable_private_nodes": true}]})
	contains(f.msg, "known only after apply")
}
