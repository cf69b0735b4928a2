# METADATA
# title: No cluster-admin, wildcard or secrets access for subjects outside the system
# description: |
#   A RoleBinding or ClusterRoleBinding gives users, groups or service
#   accounts outside the system (not system: users and groups, not service
#   accounts of the reviewed system namespaces) neither cluster-admin, nor
#   admin or edit (both read and write Secrets), nor a Role or ClusterRole of
#   the same input whose rules grant every verb or every resource ("*"), nor
#   a ClusterRole whose rules grant access to every secret. A Role's access to
#   the secrets of its own namespace (a chart's hook that writes its
#   webhook's certificate, a sidecar that reads its namespace's data sources)
#   stays within what the namespace's owners already hold, and is not
#   reported. The binding is what grants: a role nobody outside the system is
#   bound to is not reported. cluster-admin or a wildcard bound to a service
#   account of kube-system is reported all the same: Kubernetes' own
#   components there hold the system: roles, so what the input binds that way
#   is a workload hiding among them (Helm 2's Tiller was the classic).
# custom:
#   id: RBAC-001
#   severity: HIGH
#   parameters: [systemNamespaces]
#   controls: ["CIS GKE Benchmark v1.6.0 4.1.1", "CIS GKE Benchmark v1.6.0 4.1.2", "CIS GKE Benchmark v1.6.0 4.1.3"]
#   peers: ["Trivy AVD-KSV-0111", "Trivy AVD-KSV-0044", "Trivy AVD-KSV-0041"]
#   remediation: Bind a role that lists the resources and verbs the subject needs, without secrets unless it must read one (then name it in resourceNames).
package guard.kubernetes.rbac_privileges

import data.guard.lib.kubernetes as k8s

# builtin are Kubernetes' own ClusterRoles that grant this much.
builtin := {
	"cluster-admin": "every verb on every resource",
	"admin": "read and write access to secrets",
	"edit": "read and write access to secrets",
}

system_subject(s, _) if {
	s.kind in {"User", "Group"}
	startswith(s.name, "system:")
}

system_subject(s, binding) if {
	s.kind == "ServiceAccount"
	object.get(s, "namespace", k8s.namespace(binding)) in k8s.system_namespaces
}

# grants(rule, kind) says what a rule of a role of kind grants that this
# policy forbids. Secrets: only a ClusterRole's rules reach past one
# namespace. A secrets rule limited to named secrets (resourceNames) is what
# the remediation asks for; "create" cannot be limited that way and stays
# forbidden.
grants(rule, kind) := sprintf("every verb on %v in apiGroups %v", [object.get(rule, "resources", []), object.get(rule, "apiGroups", [])]) if "*" in object.get(rule, "verbs", [])

else := sprintf("every resource in apiGroups %v", [object.get(rule, "apiGroups", [])]) if "*" in object.get(rule, "resources", [])

else := sprintf("%v on every secret", [object.get(rule, "verbs", [])]) if {
	kind == "ClusterRole"
	"secrets" in object.get(rule, "resources", [])
	count(object.get(rule, "resourceNames", [])) == 0
}

else := "create on secrets" if {
	kind == "ClusterRole"
	"secrets" in object.get(rule, "resources", [])
	"create" in object.get(rule, "verbs", [])
}

# role_key names a role as a roleRef finds it: context, kind, namespace
# ("" for a ClusterRole), name.
role_key(o) := [k8s.context(o), o.object.kind, k8s.namespace(o), o.object.metadata.name] if o.object.kind == "Role"

role_key(o) := [k8s.context(o), o.object.kind, "", o.object.metadata.name] if o.object.kind == "ClusterRole"

all_roles := array.concat(k8s.objects("Role"), k8s.objects("ClusterRole"))

# forbidden are the grants of each role of the input, by key (indexed once:
# the inner comprehension closes over k alone).
forbidden := {k: {g |
	some r in all_roles
	role_key(r) == k
	some rule in object.get(r.object, "rules", [])
	g := grants(rule, r.object.kind)
} |
	some o in all_roles
	k := role_key(o)
}

deny contains result if {
	some b in array.concat(k8s.objects("RoleBinding"), k8s.objects("ClusterRoleBinding"))
	ref := b.object.roleRef
	some s in object.get(b.object, "subjects", [])
	not system_subject(s, b)
	some what in granted(b, ref)
	result := {
		"msg": sprintf("%s %s binds %s %s to %s %s, which grants %s", [b.object.kind, b.object.metadata.name, s.kind, s.name, ref.kind, ref.name, what]),
		"resource": b.id,
	}
}

deny contains result if {
	some b in array.concat(k8s.objects("RoleBinding"), k8s.objects("ClusterRoleBinding"))
	ref := b.object.roleRef
	some s in object.get(b.object, "subjects", [])
	s.kind == "ServiceAccount"
	object.get(s, "namespace", k8s.namespace(b)) == "kube-system"
	some what in granted(b, ref)
	cluster_wide(what)
	result := {
		"msg": sprintf("%s %s binds ServiceAccount kube-system/%s to %s %s, which grants %s: Kubernetes' own components hold the system: roles, not this", [b.object.kind, b.object.metadata.name, s.name, ref.kind, ref.name, what]),
		"resource": b.id,
	}
}

# cluster_wide grants are cluster-admin's and the wildcards'.
cluster_wide(what) if what == builtin["cluster-admin"]

cluster_wide(what) if startswith(what, "every ")

granted(_, ref) := {builtin[ref.name]} if {
	ref.kind == "ClusterRole"
	builtin[ref.name]
}

granted(b, ref) := forbidden[[k8s.context(b), ref.kind, ns, ref.name]] if {
	not builtin[ref.name]
	ns := ref_namespace(b, ref)
}

ref_namespace(b, ref) := k8s.namespace(b) if ref.kind == "Role"

ref_namespace(_, ref) := "" if ref.kind == "ClusterRole"
