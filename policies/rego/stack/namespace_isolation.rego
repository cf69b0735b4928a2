# METADATA
# title: Namespaces with workloads deny traffic by default and run restricted pods
# description: |
#   Every namespace that workloads land in (per cluster region) has a
#   NetworkPolicy that selects all pods and denies all ingress and egress, and
#   its Namespace carries the Pod Security label enforce=restricted.
# custom:
#   id: STK-004
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 4.3.2", "CIS GKE Benchmark v1.6.0 4.2.1"]
#   remediation: Add a default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, Egress], no rules) and label the Namespace pod-security.kubernetes.io/enforce=restricted.
package guard.stack.namespace_isolation

import data.guard.lib.kubernetes as k8s

# places are the (context, namespace) pairs workloads land in.
places contains [k8s.context(o), k8s.namespace(o), o] if some o in k8s.workloads

default_deny(ctx, ns) if {
	some o in input.kubernetes.objects
	o.object.kind == "NetworkPolicy"
	k8s.context(o) == ctx
	k8s.namespace(o) == ns
	spec := o.object.spec
	count(object.get(spec, "podSelector", {})) == 0
	{"Ingress", "Egress"} == {t | some t in object.get(spec, "policyTypes", [])}
	count(object.get(spec, "ingress", [])) == 0
	count(object.get(spec, "egress", [])) == 0
}

restricted(ctx, ns) if {
	some o in input.kubernetes.objects
	o.object.kind == "Namespace"
	k8s.context(o) == ctx
	o.object.metadata.name == ns
	k8s.labels(o)["pod-security.kubernetes.io/enforce"] == "restricted"
}

where(ctx, ns) := sprintf("namespace %s", [ns]) if ctx == ""

where(ctx, ns) := sprintf("namespace %s (%s)", [ns, ctx]) if ctx != ""

deny contains result if {
	some [ctx, ns, o] in places
	not default_deny(ctx, ns)
	result := {
		"msg": sprintf("%s runs %s %s but has no default-deny NetworkPolicy for ingress and egress", [where(ctx, ns), o.object.kind, o.object.metadata.name]),
		"resource": o.id,
	}
}

deny contains result if {
	some [ctx, ns, o] in places
	not restricted(ctx, ns)
	result := {
		"msg": sprintf("%s runs %s %s but is not labelled pod-security.kubernetes.io/enforce=restricted", [where(ctx, ns), o.object.kind, o.object.metadata.name]),
		"resource": o.id,
	}
}
