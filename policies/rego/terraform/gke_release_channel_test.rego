package guard.terraform.gke_release_channel_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_release_channel as policy

cluster(rc) := t.terraform([t.resource("google_container_cluster", "c", {"release_channel": rc})])

test_regular_passes if count(policy.deny) == 0 with input as cluster([{"channel": "REGULAR"}])

test_unspecified_fails if count(policy.deny) == 1 with input as cluster([{"channel": "UNSPECIFIED"}])

# terraform-google-kubernetes-engine's modules write the block only when
# var.release_channel is set (a dynamic block over null): GKE then enrols the
# cluster in REGULAR.
test_omitted_passes if count(policy.deny) == 0 with input as cluster([])

test_no_block_at_all_passes if {
	count(policy.deny) == 0 with input as t.terraform([t.resource("google_container_cluster", "c", {"name": "c"})])
}

test_extended_passes if count(policy.deny) == 0 with input as cluster([{"channel": "EXTENDED"}])
