package guard.terraform.gke_workload_identity_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_workload_identity as policy

cluster(values) := t.terraform([t.resource("google_container_cluster", "c", values)])

test_workload_pool_passes if {
	count(policy.deny) == 0 with input as cluster({"workload_identity_config": [{"workload_pool": "p.svc.id.goog"}]})
}

test_no_workload_identity_fails if {
	count(policy.deny) == 1 with input as cluster({"workload_identity_config": []})
}

test_unknown_pool_warns if {
	i := object.union(cluster({"workload_identity_config": [{}]}), {"terraform": {"resources": [object.union(
		t.resource("google_container_cluster", "c", {"workload_identity_config": [{}]}),
		{"unknown": {"workload_identity_config": [{"workload_pool": true}]}},
	)]}})
	count(policy.deny) == 0 with input as i
	count(policy.warn) == 1 with input as i
}
