package guard.stack.https_only_test

import data.guard.lib.testing as t
import data.guard.stack.https_only as policy

gateway := t.k8s_object(
	{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "app", "namespace": "app"}, "spec": {"listeners": [
		{"name": "https", "protocol": "HTTPS", "port": 443},
		{"name": "http", "protocol": "HTTP", "port": 80},
	]}},
	"primary",
)

route(name, spec) := t.k8s_object({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": name, "namespace": "app"}, "spec": spec}, "primary")

backend := {"backendRefs": [{"name": "app", "port": 8080}]}

redirect := {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}

check(routes) := denials if {
	denials := policy.deny with input as t.stack([], array.concat([gateway], routes))
}

test_app_on_https_and_redirect_on_http_pass if {
	count(check([
		route("app", {"parentRefs": [{"name": "app", "sectionName": "https"}], "rules": [backend]}),
		route("redirect", {"parentRefs": [{"name": "app", "sectionName": "http"}], "rules": [redirect]}),
	])) == 0
}

test_app_on_http_listener_fails if {
	count(check([route("app", {"parentRefs": [{"name": "app", "sectionName": "http"}], "rules": [backend]})])) == 1
}

test_app_on_every_listener_fails if {
	count(check([route("app", {"parentRefs": [{"name": "app"}], "rules": [backend]})])) == 1
}

test_app_on_port_80_fails if {
	count(check([route("app", {"parentRefs": [{"name": "app", "port": 80}], "rules": [backend]})])) == 1
}

test_redirect_to_http_fails if {
	count(check([route("redirect", {"parentRefs": [{"name": "app", "sectionName": "http"}], "rules": [{"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "http"}}]}]})])) == 1
}

test_route_without_rules_on_http_fails if {
	count(check([route("empty", {"parentRefs": [{"name": "app", "sectionName": "http"}]})])) == 1
}

test_gateway_in_another_region_is_not_this_one if {
	other := t.k8s_object({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "app", "namespace": "app"}, "spec": {"parentRefs": [{"name": "app", "sectionName": "http"}], "rules": [backend]}}, "secondary")
	count(check([other])) == 0
}
