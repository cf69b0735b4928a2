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

test_unknown_warns if {
	count(policy.deny) == 0 with input as cluster({"private_cluster_config": [{}]}, {"private_cluster_config": [{"enable_private_endpoint": true}]})
	some f in policy.warn with input as cluster({"private_cluster_config": [{}]}, {"private_cluster_config": [{"enable_private_endpoint": true}]})
	contains(f.msg, "cannot be verified")
}

test_deleted_cluster_ignored if {
	count(policy.deny) == 0 with input as {"terraform": {"resources": [{
		"id": "c", "address": "c", "type": "google_container_cluster", "mode": "managed",
		"action": "delete", "module": "", "values": {}, "unknown": {},
	}]}}
}

dns_only := {"control_plane_endpoints_config": [{"ip_endpoints_config": [{"enabled": false}], "dns_endpoint_config": [{"allow_external_traffic": true}]}]}

# cloud-foundation-fabric's gke-cluster-standard can turn the IP endpoint
# off: only the DNS endpoint remains, which IAM guards.
test_no_ip_endpoint_passes if {
	count(policy.deny) == 0 with input as cluster(dns_only, {})
}

test_ip_endpoint_kept_fails if {
	c := {"control_plane_endpoints_config": [{"ip_endpoints_config": [{"enabled": true}]}]}
	count(policy.deny) == 1 with input as cluster(c, {})
}

test_null_message_says_what_it_means if {
	some result in policy.deny with input as cluster({}, {})
	contains(result.msg, "enable_private_endpoint is not set (a public endpoint, GKE's default)")
}
