package guard.terraform.subnet_logging_access_test

import data.guard.lib.testing as t
import data.guard.terraform.subnet_logging_access as policy

subnet(values) := t.terraform([t.resource("google_compute_subnetwork", "s", values)])

logged := {"log_config": [{"aggregation_interval": "INTERVAL_5_SEC", "flow_sampling": 0.5}], "private_ip_google_access": true}

test_logged_private_subnet_passes if {
	count(policy.deny) == 0 with input as subnet(logged)
}

test_no_flow_logs_fails if {
	count(policy.deny) == 1 with input as subnet(object.remove(logged, ["log_config"]))
}

test_no_private_google_access_fails if {
	count(policy.deny) == 1 with input as subnet(object.remove(logged, ["private_ip_google_access"]))
}

test_neither_fails_twice if {
	count(policy.deny) == 2 with input as subnet({"ip_cidr_range": "10.0.0.0/24"})
}

test_proxy_only_subnet_is_exempt if {
	count(policy.deny) == 0 with input as subnet({"purpose": "REGIONAL_MANAGED_PROXY", "role": "ACTIVE"})
}

test_unknown_log_config_is_not_missing if {
	r := t.with_unknown(t.resource("google_compute_subnetwork", "s", {"private_ip_google_access": true}), {"log_config": true})
	count(policy.deny) == 0 with input as t.terraform([r])
}

public_cluster(subnetwork) := t.resource("google_container_cluster", "c", {"subnetwork": subnetwork, "private_cluster_config": [{"enable_private_nodes": false}]})

no_access := object.remove(object.union(logged, {"name": "gke"}), ["private_ip_google_access"])

# A subnet of public-node clusters only (terraform-google-kubernetes-engine's
# simple examples): its nodes reach Google's APIs through their addresses.
test_public_nodes_only_need_no_private_access if {
	count(policy.deny) == 0 with input as t.terraform([t.resource("google_compute_subnetwork", "s", no_access), public_cluster("gke")])
}

test_private_nodes_need_private_access if {
	c := t.resource("google_container_cluster", "c", {"subnetwork": "projects/p/regions/r/subnetworks/gke", "private_cluster_config": [{"enable_private_nodes": true}]})
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_compute_subnetwork", "s", no_access), c])
}

test_subnet_without_known_users_needs_private_access if {
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_compute_subnetwork", "s", no_access), public_cluster("other")])
}
