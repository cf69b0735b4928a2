package guard.lib.kubernetes_test

import data.guard.lib.kubernetes as k8s

deployment := {"object": {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {
	"initContainers": [{"name": "i", "image": "init"}],
	"containers": [{"name": "c", "image": "main"}],
}}}}}

cronjob := {"object": {"kind": "CronJob", "metadata": {"name": "c", "namespace": "n"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"image": "job"}]}}}}}}}

test_containers_of_deployment if [c.image | some c in k8s.containers(deployment)] == ["init", "main"]

test_containers_of_cronjob if [c.image | some c in k8s.containers(cronjob)] == ["job"]

test_namespace_default if k8s.namespace(deployment) == "default"

test_namespace_set if k8s.namespace(cronjob) == "n"

test_context_region if k8s.context({"release": {"region": "primary", "chart": "charts/app"}}) == "primary"

test_context_chart if k8s.context({"release": {"chart": "charts/app"}}) == "charts/app"

test_context_plain if k8s.context({}) == ""

test_workloads if {
	ws := k8s.workloads with input as {"kubernetes": {"objects": [deployment, {"object": {"kind": "Service"}}]}}
	count(ws) == 1
}

test_workloads_indexed if {
	objects := [deployment, {"object": {"kind": "Service"}}, cronjob]
	ws := k8s.workloads with input as {"kubernetes": {"objects": objects, "by_kind": k8s.by_kind(objects)}}
	count(ws) == 2
}
