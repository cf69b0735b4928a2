package guard.terraform.gke_legacy_abac_test

import data.guard.terraform.gke_legacy_abac as policy

cluster(values, unknown) := {"terraform": {"resources": [{
	"id": "c", "address": "c", "type": "google_container_cluster", "mode": "managed",
	"action": "create", "module": "", "values": values, "unknown": unknown,
}]}}

test_abac_off_passes if {
	count(policy.deny) == 0 with input as cluster({"enable_legacy_abac": false}, {})
}

test_abac_unset_passes if {
	count(policy.deny) == 0 with input as cluster({}, {})
}

test_abac_on_fails if {
	count(policy.deny) == 1 with input as cluster({"enable_legacy_abac": true}, {})
}

test_abac_unknown_warns if {
	count(policy.deny) == 0 with input as cluster({}, {"enable_legacy_abac": true})
	count(policy.warn) == 1 with input as cluster({}, {"enable_legacy_abac": true})
}
