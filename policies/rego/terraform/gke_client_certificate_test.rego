package guard.terraform.gke_client_certificate_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_client_certificate as policy

cluster(issue) := t.terraform([t.resource("google_container_cluster", "c", {"master_auth": [{"client_certificate_config": [{"issue_client_certificate": issue}]}]})])

test_no_certificate_passes if count(policy.deny) == 0 with input as cluster(false)

test_unset_passes if count(policy.deny) == 0 with input as t.terraform([t.resource("google_container_cluster", "c", {})])

test_certificate_fails if count(policy.deny) == 1 with input as cluster(true)
