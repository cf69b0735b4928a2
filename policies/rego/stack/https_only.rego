# METADATA
# title: Plain-HTTP Gateway listeners only redirect to HTTPS
# description: |
#   Traffic reaches the app over TLS. A route attached to a Gateway listener
#   of protocol HTTP (by its sectionName, its port, or by naming no listener)
#   may only redirect to https: every rule a RequestRedirect filter with
#   scheme https and no backends. Anything else serves the app in clear text.
# custom:
#   id: EDGE-004
#   severity: HIGH
#   profile: two-region-gke
#   controls: ["OWASP Top 10 2021 A02", "Platform: HTTPS only"]
#   remediation: Attach the route to the HTTPS listener (parentRefs sectionName https); keep only the redirect route on the HTTP listener.
package guard.stack.https_only

import data.guard.lib.kubernetes as k8s

# gateway(route, ref) is the Gateway a route's parentRef names, in the same
# cluster (release region) and namespace.
gateway(route, ref) := gateways[[k8s.context(route), object.get(ref, "namespace", k8s.namespace(route)), ref.name]][_] if {
	object.get(ref, "kind", "Gateway") == "Gateway"
}

# gateways are the Gateways by key (a manifest may come twice). The inner
# comprehension closes over k alone, so OPA indexes it: no scan per route.
gateways := {k: [g | some g in all_gateways; k8s.key(g) == k] |
	some o in all_gateways
	k := k8s.key(o)
}

all_gateways := k8s.objects("Gateway")

# attached(ref, listener): the parentRef attaches to the listener.
attached(ref, listener) if {
	object.get(ref, "sectionName", listener.name) == listener.name
	object.get(ref, "port", listener.port) == listener.port
}

redirects_to_https(rule) if {
	count(object.get(rule, "backendRefs", [])) == 0
	some f in object.get(rule, "filters", [])
	f.type == "RequestRedirect"
	f.requestRedirect.scheme == "https"
}

deny contains result if {
	some route in k8s.objects("HTTPRoute")
	some ref in object.get(route.object.spec, "parentRefs", [])
	g := gateway(route, ref)
	some listener in g.object.spec.listeners
	listener.protocol == "HTTP"
	attached(ref, listener)
	some i, rule in object.get(route.object.spec, "rules", [{}])
	not redirects_to_https(rule)
	result := {
		"msg": sprintf("HTTPRoute %s/%s rule %d serves plain HTTP on Gateway %s listener %s: only a redirect to https may use it", [k8s.namespace(route), route.object.metadata.name, i, g.object.metadata.name, listener.name]),
		"resource": route.id,
	}
}
