package guard.stack.network_policy_enforced_test

import data.guard.lib.testing as t
import data.guard.stack.network_policy_enforced as policy

cluster(role, datapath) := t.resource("google_container_cluster", sprintf(`module.region["%s"].google_container_cluster.this`, [role]), {"datapath_provider": datapath})

netpol(region) := t.k8s_object({"kind": "NetworkPolicy", "metadata": {"name": "default-deny-all", "namespace": "app"}, "spec": {"podSelector": {}}}, region)

test_enforcing_cluster_passes if {
	count(policy.deny) == 0 with input as t.stack([cluster("primary", "ADVANCED_DATAPATH")], [netpol("primary")])
}

test_legacy_datapath_fails if {
	count(policy.deny) == 1 with input as t.stack([cluster("primary", "ADVANCED_DATAPATH"), cluster("secondary", "LEGACY_DATAPATH")], [netpol("primary"), netpol("secondary")])
}

test_region_without_cluster_warns if {
	count(policy.warn) == 1 with input as t.stack([cluster("primary", "ADVANCED_DATAPATH")], [netpol("tertiary")])
}

test_addon_unknown_passes if {
	c := t.with_unknown(cluster("primary", "LEGACY_DATAPATH"), {"network_policy": [{"enabled": true}]})
	count(policy.deny) == 0 with input as t.stack([c], [netpol("primary")])
}

test_addon_unknown_as_a_whole_passes if {
	c := t.with_unknown(cluster("primary", "LEGACY_DATAPATH"), {"network_policy": true})
	count(policy.deny) == 0 with input as t.stack([c], [netpol("primary")])
}
