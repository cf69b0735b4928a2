package guard.terraform.gke_vpc_native_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_vpc_native as policy

cluster(values) := t.terraform([t.resource("google_container_cluster", "c", values)])

test_vpc_native_passes if {
	count(policy.deny) == 0 with input as cluster({"networking_mode": "VPC_NATIVE", "ip_allocation_policy": [{"cluster_secondary_range_name": "pods"}]})
}

test_routes_based_fails if {
	count(policy.deny) == 1 with input as cluster({"networking_mode": "ROUTES", "ip_allocation_policy": []})
}

test_missing_ip_allocation_fails if {
	count(policy.deny) == 1 with input as cluster({"networking_mode": "VPC_NATIVE", "ip_allocation_policy": []})
}

test_ip_allocation_unknown_as_a_whole_warns if {
	r := t.with_unknown(t.resource("google_container_cluster", "c", {"networking_mode": "VPC_NATIVE"}), {"ip_allocation_policy": true})
	count(policy.deny) == 0 with input as t.terraform([r])
	count(policy.warn) == 1 with input as t.terraform([r])
}

test_ip_allocation_with_unknown_element_passes if {
	r := t.with_unknown(t.resource("google_container_cluster", "c", {"networking_mode": "VPC_NATIVE", "ip_allocation_policy": [{}]}), {"ip_allocation_policy": [{"cluster_secondary_range_name": true}]})
	count(policy.deny) + count(policy.warn) == 0 with input as t.terraform([r])
}
