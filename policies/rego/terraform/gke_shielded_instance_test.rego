package guard.terraform.gke_shielded_instance_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_shielded_instance as policy

pool(config) := t.terraform([t.resource("google_container_node_pool", "p", {"node_config": [{"shielded_instance_config": config}]})])

test_both_on_passes if {
	count(policy.deny) == 0 with input as pool([{"enable_secure_boot": true, "enable_integrity_monitoring": true}])
}

test_secure_boot_unset_fails if {
	some f in policy.deny with input as pool([{"enable_integrity_monitoring": true}])
	contains(f.msg, "enable_secure_boot")
}

test_integrity_off_fails if {
	count(policy.deny) == 1 with input as pool([{"enable_secure_boot": true, "enable_integrity_monitoring": false}])
}

test_secure_boot_off_fails_wherever_declared if {
	every _, placed in t.node_config_placements({"shielded_instance_config": [{"enable_secure_boot": false, "enable_integrity_monitoring": true}]}) {
		count(policy.deny) == 1 with input as placed
	}
}

test_both_on_passes_wherever_declared if {
	every _, placed in t.node_config_placements({"shielded_instance_config": [{"enable_secure_boot": true, "enable_integrity_monitoring": true}]}) {
		count(policy.deny) == 0 with input as placed
	}
}
