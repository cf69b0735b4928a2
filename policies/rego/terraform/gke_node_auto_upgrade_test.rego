package guard.terraform.gke_node_auto_upgrade_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_node_auto_upgrade as policy

pool(management) := t.terraform([t.resource("google_container_node_pool", "p", {"management": management})])

test_both_on_passes if count(policy.deny) == 0 with input as pool([{"auto_upgrade": true, "auto_repair": true}])

test_auto_upgrade_off_fails if {
	some f in policy.deny with input as pool([{"auto_upgrade": false, "auto_repair": true}])
	contains(f.msg, "auto_upgrade")
}

test_both_off_fails if count(policy.deny) == 2 with input as pool([{"auto_upgrade": false, "auto_repair": false}])
