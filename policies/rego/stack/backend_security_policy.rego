# METADATA
# title: Every backend behind a Gateway has a Cloud Armor policy the platform creates
# description: |
#   Every Service an HTTPRoute attached to a Gateway sends traffic to has a
#   GCPBackendPolicy (in its namespace and cluster) that names a Cloud Armor
#   policy: without one the backend has no WAF.
#   A GCPBackendPolicy that names a Cloud Armor policy the base stack does not
#   create (a typo, a renamed policy) leaves the backend without a WAF once
#   GKE fails to attach it. For a regional Gateway, the policy must be a
#   regional one in the region of the release's cluster. Checked when the
#   input holds the platform's Cloud Armor policies or clusters.
# custom:
#   id: STK-005
#   severity: MEDIUM
#   profile: two-region-gke
#   controls: ["Platform: WAF attached to every backend"]
#   remediation: Give every Service behind a Gateway a GCPBackendPolicy (targetRef kind Service) whose securityPolicy is the policy the base stack creates for that region (output security_policies).
package guard.stack.backend_security_policy

import data.guard.lib.kubernetes as k8s
import data.guard.lib.terraform as tf

# exposed are the Services (context, namespace, name, route) an HTTPRoute
# attached to a Gateway in the same cluster sends traffic to.
exposed := [[k8s.context(route), ns, ref.name, route] |
	some route in k8s.objects("HTTPRoute")
	attached_to_gateway(route)
	some rule in object.get(route.object.spec, "rules", [])
	some ref in object.get(rule, "backendRefs", [])
	object.get(ref, "kind", "Service") == "Service"
	object.get(ref, "group", "") == ""
	ns := object.get(ref, "namespace", k8s.namespace(route))
]

attached_to_gateway(route) if {
	some ref in object.get(route.object.spec, "parentRefs", [])
	object.get(ref, "kind", "Gateway") == "Gateway"
	[k8s.context(route), object.get(ref, "namespace", k8s.namespace(route)), ref.name] in gateways
}

gateways := {k8s.key(g) | some g in k8s.objects("Gateway")}

# protected(context, ns, service): a GCPBackendPolicy there targets the
# Service and names a Cloud Armor policy.
protected(context, ns, service) if [context, ns, service] in protected_services

protected_services := {[k8s.context(o), k8s.namespace(o), target.name] |
	some o in backend_policies
	target := o.object.spec.targetRef
	object.get(target, "kind", "") == "Service"
	object.get(target, "group", "") == ""
}

deny contains result if {
	some [context, ns, service, route] in exposed
	not protected(context, ns, service)
	result := {
		"msg": sprintf("Service %s/%s is reached through HTTPRoute %s and has no GCPBackendPolicy naming a Cloud Armor policy: its backend has no WAF", [ns, service, route.object.metadata.name]),
		"resource": route.id,
	}
}

backend_policies := [o |
	some o in input.kubernetes.objects
	o.object.kind == "GCPBackendPolicy"
	o.object.spec["default"].securityPolicy
]

policies := array.concat(tf.resources("google_compute_security_policy"), tf.resources("google_compute_region_security_policy"))

# cluster_location(o) is the location of the cluster o's release lands on.
cluster_location(o) := tf.value(c, ["location"], "") if {
	some c in tf.role_cluster(o.release.region)
}

matches(o, p) if {
	p.values.name == o.object.spec["default"].securityPolicy
	p.type == "google_compute_security_policy"
}

matches(o, p) if {
	p.values.name == o.object.spec["default"].securityPolicy
	p.type == "google_compute_region_security_policy"
	not cluster_location(o)
}

matches(o, p) if {
	p.values.name == o.object.spec["default"].securityPolicy
	p.type == "google_compute_region_security_policy"
	tf.value(p, ["region"], "") == cluster_location(o)
}

# unnamed are the Cloud Armor policies whose name is known only after apply:
# any of them may be the one a backend policy names.
unnamed := [p | some p in policies; tf.unknown(p, ["name"])]

deny contains result if {
	count(policies) + count(tf.resources("google_container_cluster")) > 0
	count(unnamed) == 0
	some o in backend_policies
	not any_match(o)
	result := {
		"msg": sprintf("GCPBackendPolicy %s/%s names Cloud Armor policy %q, which the Terraform in this check does not create%s", [o.object.metadata.namespace, o.object.metadata.name, o.object.spec["default"].securityPolicy, in_region(o)]),
		"resource": o.id,
	}
}

warn contains result if {
	count(unnamed) > 0
	some o in backend_policies
	not any_match(o)
	result := {
		"msg": sprintf("GCPBackendPolicy %s/%s names Cloud Armor policy %q; the names of %v are known only after apply, so it cannot be verified", [o.object.metadata.namespace, o.object.metadata.name, o.object.spec["default"].securityPolicy, sort([p.address | some p in unnamed])]),
		"resource": o.id,
	}
}

any_match(o) if {
	some p in policies
	matches(o, p)
}

in_region(o) := sprintf(" in %s", [cluster_location(o)]) if cluster_location(o)

in_region(o) := "" if not cluster_location(o)
