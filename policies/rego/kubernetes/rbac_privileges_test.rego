package guard.kubernetes.rbac_privileges_test

import data.guard.kubernetes.rbac_privileges as policy
import data.guard.lib.testing as t

objects(manifests) := {"kubernetes": {"objects": [t.k8s_object(m, "") | some m in manifests]}}

binding(kind, ns, role_kind, role, subjects) := object.union(
	{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "b"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role}, "subjects": subjects},
	namespaced(ns),
)

namespaced(ns) := {"metadata": {"name": "b", "namespace": ns}} if ns != ""

namespaced(ns) := {} if ns == ""

role(kind, ns, name, rules) := object.union({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": name}, "rules": rules}, {"metadata": object.union({"name": name}, ns_field(ns))})

ns_field(ns) := {"namespace": ns} if ns != ""

ns_field(ns) := {} if ns == ""

jane := [{"kind": "User", "name": "jane@acme.example", "apiGroup": "rbac.authorization.k8s.io"}]

app_sa := [{"kind": "ServiceAccount", "name": "app", "namespace": "app"}]

test_cluster_admin_to_a_user_fails if {
	count(policy.deny) == 1 with input as objects([binding("ClusterRoleBinding", "", "ClusterRole", "cluster-admin", jane)])
}

test_cluster_admin_to_system_masters_passes if {
	count(policy.deny) == 0 with input as objects([binding("ClusterRoleBinding", "", "ClusterRole", "cluster-admin", [{"kind": "Group", "name": "system:masters"}])])
}

# Helm 2's Tiller, as public charts and guides installed it: cluster-admin
# for a service account of kube-system.
tiller := [{"kind": "ServiceAccount", "name": "tiller", "namespace": "kube-system"}]

test_cluster_admin_to_a_kube_system_service_account_fails if {
	count(policy.deny) == 1 with input as objects([binding("ClusterRoleBinding", "", "ClusterRole", "cluster-admin", tiller)])
}

test_wildcard_to_a_kube_system_service_account_fails if {
	count(policy.deny) == 1 with input as objects([
		role("ClusterRole", "", "r", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
		binding("ClusterRoleBinding", "", "ClusterRole", "r", tiller),
	])
}

# A kube-system service account's narrower grants (the secrets of a
# ClusterRole, edit) stay with the system namespaces' owners.
test_secrets_to_a_kube_system_service_account_pass if {
	count(policy.deny) == 0 with input as objects([
		role("ClusterRole", "", "r", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
		binding("ClusterRoleBinding", "", "ClusterRole", "r", tiller),
	])
}

test_cluster_admin_to_another_system_namespace_passes if {
	count(policy.deny) == 0 with input as objects([binding("ClusterRoleBinding", "", "ClusterRole", "cluster-admin", [{"kind": "ServiceAccount", "name": "x", "namespace": "gke-managed-system"}])])
}

test_edit_in_a_namespace_fails if {
	count(policy.deny) == 1 with input as objects([binding("RoleBinding", "app", "ClusterRole", "edit", app_sa)])
}

test_view_passes if {
	count(policy.deny) == 0 with input as objects([binding("RoleBinding", "app", "ClusterRole", "view", app_sa)])
}

test_wildcard_verbs_in_a_role_fail if {
	count(policy.deny) == 1 with input as objects([
		role("Role", "app", "r", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]}]),
		binding("RoleBinding", "app", "Role", "r", app_sa),
	])
}

test_wildcard_resources_in_a_cluster_role_fail if {
	count(policy.deny) == 1 with input as objects([
		role("ClusterRole", "", "r", [{"apiGroups": ["apps"], "resources": ["*"], "verbs": ["get"]}]),
		binding("ClusterRoleBinding", "", "ClusterRole", "r", app_sa),
	])
}

test_secrets_read_cluster_wide_fails if {
	count(policy.deny) == 1 with input as objects([
		role("ClusterRole", "", "r", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}]),
		binding("ClusterRoleBinding", "", "ClusterRole", "r", app_sa),
	])
}

# A ClusterRole's rules bound in one namespace still name every secret
# there, in any namespace it is bound in: reported.
test_cluster_role_on_secrets_bound_in_a_namespace_fails if {
	count(policy.deny) == 1 with input as objects([
		role("ClusterRole", "", "r", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["watch"]}]),
		binding("RoleBinding", "app", "ClusterRole", "r", app_sa),
	])
}

# A chart's own Role on the secrets of its namespace (kube-prometheus-stack's
# admission hook writes its webhook certificate; Grafana's sidecar, namespaced,
# reads its data sources) stays within the namespace.
test_secrets_in_a_namespaced_role_pass if {
	count(policy.deny) == 0 with input as objects([
		role("Role", "monitoring", "admission", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "create"]}]),
		binding("RoleBinding", "monitoring", "Role", "admission", [{"kind": "ServiceAccount", "name": "admission", "namespace": "monitoring"}]),
	])
}

test_narrow_role_passes if {
	count(policy.deny) == 0 with input as objects([
		role("Role", "app", "r", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]),
		binding("RoleBinding", "app", "Role", "r", app_sa),
	])
}

test_role_in_another_namespace_is_not_the_one_bound if {
	count(policy.deny) == 0 with input as objects([
		role("Role", "other", "r", [{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}]),
		binding("RoleBinding", "app", "Role", "r", app_sa),
	])
}

test_unbound_wide_role_passes if {
	count(policy.deny) == 0 with input as objects([role("ClusterRole", "", "r", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])])
}

test_named_secrets_pass if {
	count(policy.deny) == 0 with input as objects([
		role("ClusterRole", "", "r", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "update"], "resourceNames": ["app-tls-ca"]}]),
		binding("ClusterRoleBinding", "", "ClusterRole", "r", app_sa),
	])
}

test_creating_secrets_fails_even_with_names if {
	count(policy.deny) == 1 with input as objects([
		role("ClusterRole", "", "r", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"], "resourceNames": ["x"]}]),
		binding("ClusterRoleBinding", "", "ClusterRole", "r", app_sa),
	])
}
