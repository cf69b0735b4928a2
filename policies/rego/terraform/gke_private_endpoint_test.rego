package guard.terraform.gke_private_endpoint_test

import data.guard.terraform.gke_private_endpoint as policy

cluster(values, unknown) := {"terraform": {"resources": [{
	"id": "c", "address": "c", "type": "google_container_cluster", "mode": "managed",
	"action": "create", "module": "", "values": values, "unknown": unknown,
}]}}

test_private_endpoint_passes if {
	count(policy.deny) == 0 with input as cluster({"private_cluster_config": [{"enable_private_endpoint": true}]}, {})
}

test_false_fails if {
	count(policy.deny) == 1 with input as cluster({"private_cluster_config": [{"enable_private_endpoint": false}]}, {})
}

test_null_is_public if {
	some f in policy.deny with input as cluster({"private_cluster_config": [{"enable_private_endpoint": null}]}, {})
	contains(f.msg, "public control plane endpoint")
}

test_unknown_fails_closed if {
	some f in policy.deny with input as cluster({"private_cluster_config": [{}]}, {"private_cluster_config": [{"enable_private_endpoint": true}]})
	contains(f.msg, "treated as public")
}

test_deleted_cluster_ignored if {
	count(policy.deny) == 0 with input as {"terraform": {"resources": [{
		"id": "c", "address": "c", "type": "google_container_cluster", "mode": "managed",
		"action": "delete", "module": "", "values": {}, "unknown": {},
	}]}}
}
