# METADATA
# title: Namespaces with workloads deny traffic by default and run restricted pods
# description: |
#   Every namespace that workloads land in (per cluster region) has a
#   NetworkPolicy that selects all pods and denies all ingress and egress, and
#   its Namespace carries the Pod Security label enforce=restricted. Where
#   the check holds that Namespace, its labels are K8S-006's to judge (one
#   fact, one finding); a namespace no manifest of the check creates (default,
#   one a chart's release lands in) is reported here. The reviewed system
#   namespaces (kube-system, kyverno, GKE's) are exempt, as from the pod
#   policies.
# custom:
#   id: STK-004
#   severity: HIGH
#   parameters: [systemNamespaces]
#   profile: two-region-gke
#   controls: ["CIS GKE Benchmark v1.6.0 4.3.2", "CIS GKE Benchmark v1.6.0 4.2.1"]
#   remediation: Add a default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, Egress], no rules) and label the Namespace pod-security.kubernetes.io/enforce=restricted.
package guard.stack.namespace_isolation

import data.guard.lib.kubernetes as k8s

# places are the (context, namespace) pairs workloads land in, but for the
# reviewed system namespaces.
places := [[k8s.context(o), k8s.namespace(o), o] |
	some o in k8s.workloads
	not k8s.namespace(o) in k8s.system_namespaces
]

# default_denies are the (context, namespace) pairs with a NetworkPolicy that
# selects every pod and denies all ingress and egress.
default_denies contains [k8s.context(o), k8s.namespace(o)] if {
	some o in input.kubernetes.objects
	o.object.kind == "NetworkPolicy"
	spec := o.object.spec
	count(object.get(spec, "podSelector", {})) == 0
	{"Ingress", "Egress"} == {t | some t in object.get(spec, "policyTypes", [])}
	count(object.get(spec, "ingress", [])) == 0
	count(object.get(spec, "egress", [])) == 0
}

# restricted_namespaces are the (context, namespace) pairs whose Namespace
# enforces the restricted Pod Security Standard.
restricted_namespaces contains [k8s.context(o), o.object.metadata.name] if {
	some o in input.kubernetes.objects
	o.object.kind == "Namespace"
	k8s.labels(o)["pod-security.kubernetes.io/enforce"] == "restricted"
}

where(ctx, ns) := sprintf("namespace %s", [ns]) if ctx == ""

where(ctx, ns) := sprintf("namespace %s (%s)", [ns, ctx]) if ctx != ""

deny contains result if {
	some [ctx, ns, o] in places
	not [ctx, ns] in default_denies
	result := {
		"msg": sprintf("%s runs %s %s but has no default-deny NetworkPolicy for ingress and egress", [where(ctx, ns), o.object.kind, o.object.metadata.name]),
		"resource": o.id,
	}
}

# namespace_objects are the (context, namespace) pairs whose Namespace the
# check holds: K8S-006 judges their Pod Security labels, once.
namespace_objects contains [k8s.context(o), o.object.metadata.name] if {
	some o in input.kubernetes.objects
	o.object.kind == "Namespace"
}

deny contains result if {
	some [ctx, ns, o] in places
	not [ctx, ns] in restricted_namespaces
	not [ctx, ns] in namespace_objects
	result := {
		"msg": sprintf("%s runs %s %s but is not labelled pod-security.kubernetes.io/enforce=restricted (no Namespace of it in this check creates it so)", [where(ctx, ns), o.object.kind, o.object.metadata.name]),
		"resource": o.id,
	}
}
