package guard.lib.terraform_test

import data.guard.lib.terraform as tf

res := {
	"values": {"private_cluster_config": [{"enable_private_endpoint": true}], "location": "europe-west1"},
	"unknown": {"node_config": true, "ip_allocation_policy": [{"stack_type": true}]},
	"module": "",
}

test_unknown_leaf if tf.unknown(res, ["ip_allocation_policy", 0, "stack_type"])

test_unknown_inherited_from_block if tf.unknown(res, ["node_config", 0, "service_account"])

test_known_is_not_unknown if not tf.unknown(res, ["private_cluster_config", 0, "enable_private_endpoint"])

test_value_known if tf.value(res, ["private_cluster_config", 0, "enable_private_endpoint"], false) == true

test_value_default if tf.value(res, ["private_cluster_config", 0, "enable_private_nodes"], "d") == "d"

test_region_from_module_key if tf.region(object.union(res, {"module": `module.region["secondary"]`})) == "secondary"

test_region_from_location if tf.region(res) == "europe-west1"

test_resources_skips_deletes if {
	rs := tf.resources("t") with input as {"terraform": {"resources": [
		{"type": "t", "mode": "managed", "action": "create", "id": "a"},
		{"type": "t", "mode": "managed", "action": "delete", "id": "b"},
		{"type": "t", "mode": "data", "action": "read", "id": "c"},
	]}}
	{r.id | some r in rs} == {"a"}
}

test_ref_type_root if tf.resource_ref_type("google_service_account.sa.email") == "google_service_account"

test_ref_type_module if tf.resource_ref_type(`module.a["x.y"].module.b[0].google_service_account.sa.email`) == "google_service_account"

mixed := [
	{"type": "google_compute_network", "mode": "managed", "action": "create", "id": "a"},
	{"type": "google_container_cluster", "mode": "managed", "action": "create", "id": "b"},
	{"type": "google_container_cluster", "mode": "data", "action": "read", "id": "c"},
	{"type": "google_container_cluster", "mode": "managed", "action": "delete", "id": "d"},
	{"type": "google_container_cluster", "mode": "managed", "action": "update", "id": "e"},
]

# The by_type index and the scan of an input without it give the same resources.
test_resources_indexed_and_scanned if {
	indexed := tf.resources("google_container_cluster") with input as {"terraform": {"resources": mixed, "by_type": tf.by_type(mixed)}}
	scanned := tf.resources("google_container_cluster") with input as {"terraform": {"resources": mixed}}
	[r.id | some r in indexed] == ["b", "e"]
	indexed == scanned
}

test_resources_of_absent_type if {
	count(tf.resources("google_dns_managed_zone")) == 0 with input as {"terraform": {"resources": mixed, "by_type": tf.by_type(mixed)}}
}

# A collection unknown as a whole (a plan's shape) and one holding an unknown
# element (HCL's shape) are both unknown within; a known one is not.
test_unknown_within_whole if tf.unknown_within(res, ["node_config"])

test_unknown_within_element if {
	r := object.union(res, {"unknown": {"routing_policy": [{"primary": [{"external_endpoints": [true]}]}]}})
	tf.unknown_within(r, ["routing_policy", 0, "primary"])
	not tf.unknown(r, ["routing_policy", 0, "primary"])
}

test_unknown_within_known_is_not if not tf.unknown_within(res, ["private_cluster_config"])

test_unknown_within_false_mirror_is_not if {
	r := object.union(res, {"unknown": {"routing_policy": [{"primary": [{"internal_load_balancers": []}]}]}})
	not tf.unknown_within(r, ["routing_policy"])
}
