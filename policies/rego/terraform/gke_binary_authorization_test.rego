package guard.terraform.gke_binary_authorization_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_binary_authorization as policy

cluster(ba) := t.terraform([t.resource("google_container_cluster", "c", {"binary_authorization": ba})])

test_enforce_passes if count(policy.deny) == 0 with input as cluster([{"evaluation_mode": "PROJECT_SINGLETON_POLICY_ENFORCE"}])

test_disabled_fails if count(policy.deny) == 1 with input as cluster([{"evaluation_mode": "DISABLED"}])

test_missing_fails if count(policy.deny) == 1 with input as cluster([])
