package guard.terraform.gke_authorized_networks_test

import data.guard.terraform.gke_authorized_networks as policy

cluster(values, unknown) := {"terraform": {"resources": [{
	"id": "c", "address": "c", "type": "google_container_cluster", "mode": "managed",
	"action": "create", "module": "", "values": values, "unknown": unknown,
}]}}

bastion := {"cidr_block": "192.168.100.0/24", "display_name": "bastion"}

test_internal_networks_pass if {
	count(policy.deny) == 0 with input as cluster({"master_authorized_networks_config": [{"cidr_blocks": [bastion]}]}, {})
}

test_anywhere_fails if {
	some f in policy.deny with input as cluster({"master_authorized_networks_config": [{"cidr_blocks": [bastion, {"cidr_block": "0.0.0.0/0", "display_name": "anywhere"}]}]}, {})
	contains(f.msg, "0.0.0.0/0")
}

test_missing_config_fails if {
	some f in policy.deny with input as cluster({"master_authorized_networks_config": []}, {})
	contains(f.msg, "no master_authorized_networks_config")
}

test_unknown_cidrs_warn if {
	count(policy.deny) == 0 with input as cluster({"master_authorized_networks_config": [{}]}, {"master_authorized_networks_config": [{"cidr_blocks": true}]})
	some f in policy.warn with input as cluster({"master_authorized_networks_config": [{}]}, {"master_authorized_networks_config": [{"cidr_blocks": true}]})
	contains(f.msg, "known only after apply")
}

test_unknown_cidr_element_warns if {
	some f in policy.warn with input as cluster(
		{"master_authorized_networks_config": [{"cidr_blocks": [bastion, {"display_name": "ci"}]}]},
		{"master_authorized_networks_config": [{"cidr_blocks": [false, {"cidr_block": true}]}]},
	)
	contains(f.msg, "known only after apply")
}

test_computed_display_name_passes if {
	count(policy.deny) == 0 with input as cluster(
		{"master_authorized_networks_config": [{"cidr_blocks": [{"cidr_block": "10.0.0.0/8"}]}]},
		{"master_authorized_networks_config": [{"cidr_blocks": [{"display_name": true}]}]},
	)
}

test_no_ip_endpoint_passes if {
	c := {"control_plane_endpoints_config": [{"ip_endpoints_config": [{"enabled": false}]}]}
	count(policy.deny) == 0 with input as cluster(c, {})
}
