package guard.terraform.gke_network_policy_test

import data.guard.terraform.gke_network_policy as policy

cluster(values, unknown) := {"terraform": {"resources": [{
	"id": "c", "address": "c", "type": "google_container_cluster", "mode": "managed",
	"action": "create", "module": "", "values": values, "unknown": unknown,
}]}}

test_dataplane_v2_passes if {
	count(policy.deny) == 0 with input as cluster({"datapath_provider": "ADVANCED_DATAPATH"}, {})
}

test_network_policy_addon_passes if {
	count(policy.deny) == 0 with input as cluster({"datapath_provider": "LEGACY_DATAPATH", "network_policy": [{"enabled": true}]}, {})
}

test_legacy_without_addon_fails if {
	count(policy.deny) == 1 with input as cluster({"datapath_provider": "LEGACY_DATAPATH", "network_policy": [{"enabled": false}]}, {})
}

test_unknown_warns if {
	count(policy.deny) == 0 with input as cluster({}, {"datapath_provider": true})
	count(policy.warn) == 1 with input as cluster({}, {"datapath_provider": true})
}

test_addon_unknown_as_a_whole_warns if {
	count(policy.deny) == 0 with input as cluster({"datapath_provider": "LEGACY_DATAPATH"}, {"network_policy": true})
	count(policy.warn) == 1 with input as cluster({"datapath_provider": "LEGACY_DATAPATH"}, {"network_policy": true})
}

test_addon_enabled_unknown_warns if {
	count(policy.deny) == 0 with input as cluster({"datapath_provider": "LEGACY_DATAPATH", "network_policy": [{}]}, {"network_policy": [{"enabled": true}]})
	count(policy.warn) == 1 with input as cluster({"datapath_provider": "LEGACY_DATAPATH", "network_policy": [{}]}, {"network_policy": [{"enabled": true}]})
}
