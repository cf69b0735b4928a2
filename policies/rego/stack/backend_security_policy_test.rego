package guard.stack.backend_security_policy_test

import data.guard.lib.testing as t
import data.guard.stack.backend_security_policy as policy

waf(region) := t.resource("google_compute_region_security_policy", sprintf(`module.region["%s"].google_compute_region_security_policy.waf`, [region]), {"name": sprintf("prod-%s-app-waf", [region]), "region": sprintf("europe-%s", [region])})

cluster(role, location) := t.resource("google_container_cluster", sprintf(`module.region["%s"].google_container_cluster.this`, [role]), {"location": location})

backend(name, region) := t.k8s_object({"kind": "GCPBackendPolicy", "metadata": {"name": "app", "namespace": "app"}, "spec": {"default": {"securityPolicy": name}}}, region)

test_existing_policy_passes if {
	count(policy.deny) == 0 with input as t.stack([waf("primary"), cluster("primary", "europe-primary")], [backend("prod-primary-app-waf", "primary")])
}

test_typo_fails if {
	count(policy.deny) == 1 with input as t.stack([waf("primary"), cluster("primary", "europe-primary")], [backend("prod-primary-app-wafx", "primary")])
}

test_other_regions_policy_fails if {
	some f in policy.deny with input as t.stack(
		[waf("primary"), waf("secondary"), cluster("primary", "europe-primary"), cluster("secondary", "europe-secondary")],
		[backend("prod-primary-app-waf", "secondary")],
	)
	contains(f.msg, "in europe-secondary")
}

test_app_stack_alone_passes if {
	count(policy.deny) == 0 with input as t.stack([t.resource("helm_release", "helm_release.app", {})], [backend("anything", "primary")])
}

test_policy_name_unknown_warns if {
	unnamed := t.with_unknown(t.resource("google_compute_region_security_policy", `module.region["primary"].google_compute_region_security_policy.waf`, {"region": "europe-primary"}), {"name": true})
	count(policy.deny) == 0 with input as t.stack([unnamed, cluster("primary", "europe-primary")], [backend("prod-primary-app-waf", "primary")])
	count(policy.warn) == 1 with input as t.stack([unnamed, cluster("primary", "europe-primary")], [backend("prod-primary-app-waf", "primary")])
}

gateway(region) := t.k8s_object({"kind": "Gateway", "metadata": {"name": "app", "namespace": "app"}, "spec": {"listeners": [{"name": "https", "protocol": "HTTPS", "port": 443}]}}, region)

route(region) := t.k8s_object({"kind": "HTTPRoute", "metadata": {"name": "app", "namespace": "app"}, "spec": {"parentRefs": [{"name": "app"}], "rules": [{"backendRefs": [{"name": "app", "port": 8080}]}]}}, region)

targeting(service, region) := t.k8s_object({"kind": "GCPBackendPolicy", "metadata": {"name": "app", "namespace": "app"}, "spec": {"default": {"securityPolicy": "prod-primary-app-waf"}, "targetRef": {"group": "", "kind": "Service", "name": service}}}, region)

platform := [waf("primary"), cluster("primary", "europe-primary")]

test_exposed_service_with_backend_policy_passes if {
	count(policy.deny) == 0 with input as t.stack(platform, [gateway("primary"), route("primary"), targeting("app", "primary")])
}

test_exposed_service_without_backend_policy_fails if {
	some f in policy.deny with input as t.stack(platform, [gateway("primary"), route("primary")])
	contains(f.msg, "no WAF")
}

test_backend_policy_for_another_service_fails if {
	count(policy.deny) == 1 with input as t.stack(platform, [gateway("primary"), route("primary"), targeting("other", "primary")])
}

test_backend_policy_in_another_region_fails if {
	count(policy.deny) == 1 with input as t.stack(platform, [gateway("primary"), route("primary"), targeting("app", "secondary")])
}

test_route_without_gateway_is_not_exposed if {
	count(policy.deny) == 0 with input as t.stack(platform, [route("primary")])
}
