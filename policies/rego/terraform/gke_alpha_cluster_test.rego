package guard.terraform.gke_alpha_cluster_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_alpha_cluster as policy

cluster(values) := t.resource("google_container_cluster", "c", values)

test_unset_passes if count(policy.deny) == 0 with input as t.terraform([cluster({})])

test_false_passes if count(policy.deny) == 0 with input as t.terraform([cluster({"enable_kubernetes_alpha": false})])

test_alpha_fails if count(policy.deny) == 1 with input as t.terraform([cluster({"enable_kubernetes_alpha": true})])

# A module's input nobody set: not verifiable, a warning, not a violation.
test_unknown_warns if {
	case := t.terraform([t.with_unknown(cluster({}), {"enable_kubernetes_alpha": true})])
	count(policy.deny) == 0 with input as case
	count(policy.warn) == 1 with input as case
}
