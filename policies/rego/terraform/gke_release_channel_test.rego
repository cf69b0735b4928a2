package guard.terraform.gke_release_channel_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_release_channel as policy

cluster(rc) := t.terraform([t.resource("google_container_cluster", "c", {"release_channel": rc})])

test_regular_passes if count(policy.deny) == 0 with input as cluster([{"channel": "REGULAR"}])

test_unspecified_fails if count(policy.deny) == 1 with input as cluster([{"channel": "UNSPECIFIED"}])

test_missing_fails if count(policy.deny) == 1 with input as cluster([])
