package guard.stack.secrets_created_test

import data.guard.lib.testing as t
import data.guard.stack.secrets_created as policy

deployment(pod) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "app"}, "spec": {"template": {"spec": pod}}}

env_pod := {"containers": [{"name": "web", "env": [{"name": "DB", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]}]}

secret(name, ns) := {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns}}

objects(manifests, region) := t.stack([], [t.k8s_object(m, region) | some m in manifests])

gateway(ref) := {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "gw", "namespace": "app"}, "spec": {"listeners": [{"name": "https", "protocol": "HTTPS", "port": 443, "tls": {"certificateRefs": [ref]}}]}}

test_env_secret_created_in_the_chart_passes if {
	count(policy.deny) == 0 with input as objects([deployment(env_pod), secret("db", "app")], "primary")
}

test_env_secret_created_by_nothing_fails if {
	count(policy.deny) == 1 with input as objects([deployment(env_pod)], "primary")
}

test_secret_in_another_namespace_does_not_count if {
	count(policy.deny) == 1 with input as objects([deployment(env_pod), secret("db", "other")], "primary")
}

test_optional_reference_passes if {
	pod := {"containers": [{"name": "web", "envFrom": [{"secretRef": {"name": "extra", "optional": true}}]}]}
	count(policy.deny) == 0 with input as objects([deployment(pod)], "primary")
}

test_volume_projected_and_pull_secrets_fail if {
	pod := {
		"containers": [{"name": "web"}],
		"imagePullSecrets": [{"name": "pull"}],
		"volumes": [{"name": "a", "secret": {"secretName": "vol"}}, {"name": "b", "projected": {"sources": [{"secret": {"name": "proj"}}]}}],
	}
	count(policy.deny) == 3 with input as objects([deployment(pod)], "primary")
}

test_synced_from_secret_manager_passes if {
	spc := {"apiVersion": "secrets-store.csi.x-k8s.io/v1", "kind": "SecretProviderClass", "metadata": {"name": "db", "namespace": "app"}, "spec": {"provider": "gke", "secretObjects": [{"secretName": "db", "type": "Opaque"}]}}
	count(policy.deny) == 0 with input as objects([deployment(env_pod), spc], "primary")
}

test_external_secret_target_passes if {
	es := {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": {"name": "x", "namespace": "app"}, "spec": {"target": {"name": "db"}}}
	count(policy.deny) == 0 with input as objects([deployment(env_pod), es], "primary")
}

test_gateway_tls_secret_missing_fails if {
	count(policy.deny) == 1 with input as objects([gateway({"kind": "Secret", "name": "app-tls"})], "primary")
}

test_gateway_tls_secret_of_the_other_region_does_not_count if {
	count(policy.deny) == 1 with input as t.stack([], [t.k8s_object(gateway({"name": "app-tls"}), "primary"), t.k8s_object(secret("app-tls", "app"), "secondary")])
}

release(values) := t.resource("helm_release", "helm_release.monitoring", {"namespace": "monitoring", "values": [values]})

test_release_existing_secret_missing_fails if {
	count(policy.deny) == 1 with input as t.stack([release("grafana:\n  admin:\n    existingSecret: grafana-admin\n")], [])
}

test_release_existing_secret_created_by_terraform_passes if {
	s := t.resource("kubernetes_secret_v1", "kubernetes_secret_v1.grafana", {"metadata": [{"name": "grafana-admin", "namespace": "monitoring"}]})
	count(policy.deny) == 0 with input as t.stack([release("grafana:\n  admin:\n    existingSecret: grafana-admin\n"), s], [])
}

test_release_without_existing_secret_passes if {
	count(policy.deny) == 0 with input as t.stack([release("grafana:\n  admin:\n    existingSecret: \"\"\n")], [])
}

# kube-prometheus-stack's admission webhook: the operator mounts the Secret
# that the chart's pre-install hook Job generates.
operator := deployment({"containers": [{"name": "operator"}], "volumes": [{"name": "tls-secret", "secret": {"secretName": "kps-admission"}}]})

certgen_job(args, hook) := {
	"apiVersion": "batch/v1", "kind": "Job",
	"metadata": {"name": "kps-admission-create", "namespace": "app", "annotations": hook},
	"spec": {"template": {"spec": {"containers": [{"name": "create", "image": "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.7", "args": args}]}}},
}

pre_install := {"helm.sh/hook": "pre-install,pre-upgrade"}

test_secret_generated_by_a_certgen_hook_passes if {
	job := certgen_job(["create", "--host=kps-operator,kps-operator.app.svc", "--namespace=app", "--secret-name=kps-admission"], pre_install)
	count(policy.deny) == 0 with input as objects([operator, job], "primary")
}

# ingress-nginx passes the namespace as $(POD_NAMESPACE): the Job's own.
test_certgen_namespace_from_the_environment_is_the_jobs_passes if {
	job := certgen_job(["create", "--namespace=$(POD_NAMESPACE)", "--secret-name=kps-admission"], pre_install)
	count(policy.deny) == 0 with input as objects([operator, job], "primary")
}

test_certgen_secret_of_another_name_or_namespace_fails if {
	other_name := certgen_job(["create", "--namespace=app", "--secret-name=other"], pre_install)
	other_ns := certgen_job(["create", "--namespace=elsewhere", "--secret-name=kps-admission"], pre_install)
	count(policy.deny) == 1 with input as objects([operator, other_name, other_ns], "primary")
}

# The patch command reads the Secret; only create generates it.
test_certgen_patch_fails if {
	patch := certgen_job(["patch", "--namespace=app", "--secret-name=kps-admission"], pre_install)
	count(policy.deny) == 1 with input as objects([operator, patch], "primary")
}

# ingress-nginx's static manifest (deploy.yaml) runs the same create
# command as a plain Job, no hook: it generates the Secret all the same.
test_certgen_plain_job_passes if {
	plain := certgen_job(["create", "--namespace=$(POD_NAMESPACE)", "--secret-name=kps-admission"], {})
	count(policy.deny) == 0 with input as objects([operator, plain], "primary")
}

test_secret_declared_by_an_annotation_passes if {
	declaring := {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "vault-agent", "namespace": "app", "annotations": {"guard.acme.example/creates-secrets": "other, kps-admission"}}}
	count(policy.deny) == 0 with input as objects([operator, declaring], "primary")
}

test_message_says_how_to_declare_a_secret if {
	some result in policy.deny with input as objects([operator], "primary")
	contains(result.msg, "annotate that object with guard.acme.example/creates-secrets: kps-admission")
}
