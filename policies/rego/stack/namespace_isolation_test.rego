package guard.stack.namespace_isolation_test

import data.guard.lib.testing as t
import data.guard.stack.namespace_isolation as policy

namespace(labels) := t.k8s_object({"kind": "Namespace", "metadata": {"name": "app", "labels": labels}}, "primary")

deny_all := t.k8s_object({"kind": "NetworkPolicy", "metadata": {"name": "default-deny-all", "namespace": "app"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}, "primary")

deployment := t.k8s_object({"kind": "Deployment", "metadata": {"name": "web", "namespace": "app"}, "spec": {"template": {"spec": {"containers": []}}}}, "primary")

restricted := {"pod-security.kubernetes.io/enforce": "restricted"}

test_isolated_namespace_passes if {
	count(policy.deny) == 0 with input as t.stack([], [namespace(restricted), deny_all, deployment])
}

test_missing_default_deny_fails if {
	some f in policy.deny with input as t.stack([], [namespace(restricted), deployment])
	contains(f.msg, "no default-deny")
}

test_ingress_only_deny_fails if {
	ingress_only := object.union(deny_all, {"object": {"spec": {"policyTypes": ["Ingress"]}}})
	count(policy.deny) == 1 with input as t.stack([], [namespace(restricted), ingress_only, deployment])
}

# A namespace no manifest creates (a release's, default) is unlabelled.
test_namespace_not_in_the_check_fails if {
	some f in policy.deny with input as t.stack([], [deny_all, deployment])
	contains(f.msg, "not labelled pod-security.kubernetes.io/enforce=restricted")
}

# A Namespace the check holds is K8S-006's to judge: one finding for its
# label, not one per workload here too.
test_label_of_a_namespace_in_the_check_left_to_k8s_006 if {
	count(policy.deny) == 0 with input as t.stack([], [namespace({"pod-security.kubernetes.io/enforce": "baseline"}), deny_all, deployment])
}

# The default deny of another region's release does not cover this one.
test_other_region_does_not_count_fails if {
	elsewhere := object.union(deny_all, {"release": {"region": "secondary"}})
	count(policy.deny) == 1 with input as t.stack([], [namespace(restricted), elsewhere, deployment])
}

test_reviewed_system_namespace_is_exempt if {
	d := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "kyverno", "namespace": "kyverno"}, "spec": {"template": {"spec": {"containers": [{"name": "k", "image": "x"}]}}}}
	count(policy.deny) == 0 with input as t.stack([], [t.k8s_object(d, "primary")])
}
