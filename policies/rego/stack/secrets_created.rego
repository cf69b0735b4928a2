# METADATA
# title: Every Secret the platform references is created
# description: |
#   A Secret that a workload (volumes, env, envFrom, imagePullSecrets), a
#   Gateway listener (certificateRefs) or a Helm release's values
#   (existingSecret, the convention of Grafana's and most charts) names must
#   be created by something in the check: a Secret manifest in the same
#   cluster and namespace, a SecretProviderClass that syncs it from Secret
#   Manager (spec.secretObjects), an ExternalSecret that targets it, a
#   kubernetes_secret in Terraform, a Job that generates it
#   (kube-webhook-certgen create --secret-name, as kube-prometheus-stack's
#   and ingress-nginx's admission webhooks do), or an object that declares
#   it with the annotation guard.acme.example/creates-secrets (names,
#   comma-separated: an operator or a hook guard cannot read). Otherwise the
#   pod does not start, the listener serves no certificate, or the release
#   fails, after apply, in production; or somebody creates it by hand and
#   nobody reviews it. References marked optional are not required.
# custom:
#   id: STK-006
#   severity: MEDIUM
#   profile: two-region-gke
#   controls: ["Platform: secrets are created by code"]
#   remediation: Create the Secret where the reference is (chart or stack), sync it from Secret Manager with a SecretProviderClass (secretObjects), or drop the reference (e.g. a chart-generated Secret, a Certificate Manager certificate). If a hook or an operator creates it, annotate that object (or its Job) with guard.acme.example/creates-secrets NAME.
package guard.stack.secrets_created

import data.guard.lib.kubernetes as k8s
import data.guard.lib.terraform as tf

# references are [context, namespace, name, what, resource id]; context "*"
# matches any cluster (a Terraform release names none of its own).
references contains [k8s.context(o), k8s.namespace(o), name, sprintf("%s %s (%s)", [o.object.kind, o.object.metadata.name, how]), o.id] if {
	some o in k8s.workloads
	spec := k8s.pod_spec(o)
	some [name, how] in pod_secret_refs(spec)
}

references contains [k8s.context(g), object.get(ref, "namespace", k8s.namespace(g)), ref.name, sprintf("Gateway %s listener %s", [g.object.metadata.name, l.name]), g.id] if {
	some g in k8s.objects("Gateway")
	some l in object.get(g.object.spec, "listeners", [])
	some ref in object.get(object.get(l, "tls", {}), "certificateRefs", [])
	object.get(ref, "kind", "Secret") == "Secret"
	object.get(ref, "group", "") == ""
}

references contains ["*", tf.value(r, ["namespace"], "default"), name, sprintf("helm_release %s values (%s)", [r.address, concat(".", [sprintf("%v", [p]) | some p in path])]), r.id] if {
	some r in tf.resources("helm_release")
	some doc in tf.value(r, ["values"], [])
	is_string(doc)
	yaml.is_valid(doc)
	walk(yaml.unmarshal(doc), [path, name])
	count(path) > 0
	path[count(path) - 1] == "existingSecret"
	is_string(name)
	name != ""
}

pod_secret_refs(spec) := ((({[v.secret.secretName, sprintf("volume %s", [v.name])] |
	some v in object.get(spec, "volumes", [])
	not v.secret.optional == true
	v.secret.secretName
} | {[s.secret.name, sprintf("volume %s", [v.name])] |
	some v in object.get(spec, "volumes", [])
	some s in object.get(object.get(v, "projected", {}), "sources", [])
	not s.secret.optional == true
	s.secret.name
}) | {[e.valueFrom.secretKeyRef.name, sprintf("container %s env %s", [c.name, e.name])] |
	some c in containers(spec)
	some e in object.get(c, "env", [])
	not e.valueFrom.secretKeyRef.optional == true
	e.valueFrom.secretKeyRef.name
}) | {[e.secretRef.name, sprintf("container %s envFrom", [c.name])] |
	some c in containers(spec)
	some e in object.get(c, "envFrom", [])
	not e.secretRef.optional == true
	e.secretRef.name
}) | {[p.name, "imagePullSecrets"] |
	some p in object.get(spec, "imagePullSecrets", [])
	p.name
}

containers(spec) := [c |
	some field in ["initContainers", "containers", "ephemeralContainers"]
	some c in object.get(spec, field, [])
]

# created are [context, namespace, name] of every Secret something creates;
# context "*" for Terraform's.
created contains [k8s.context(o), k8s.namespace(o), o.object.metadata.name] if {
	some o in k8s.objects("Secret")
}

created contains [k8s.context(o), k8s.namespace(o), s.secretName] if {
	some o in k8s.objects("SecretProviderClass")
	some s in object.get(o.object.spec, "secretObjects", [])
}

created contains [k8s.context(o), k8s.namespace(o), object.get(object.get(o.object.spec, "target", {}), "name", o.object.metadata.name)] if {
	some o in k8s.objects("ExternalSecret")
}

created contains ["*", object.get(meta, "namespace", "default"), meta.name] if {
	some type in ["kubernetes_secret", "kubernetes_secret_v1"]
	some r in tf.resources(type)
	meta := tf.value(r, ["metadata", 0], {})
	meta.name
}

# A Job running kube-webhook-certgen's create command generates the Secret
# its --secret-name names, in its --namespace (the Job's own when that is
# absent or an environment variable, as ingress-nginx passes it): a chart's
# pre-install hook, or a plain Job of a static manifest (ingress-nginx's
# deploy.yaml), whose Secret the webhook's pod waits for.
created contains [k8s.context(o), certgen_namespace(o, args), name] if {
	some o in k8s.objects("Job")
	some c in object.get(o.object.spec.template.spec, "containers", [])
	contains(object.get(c, "image", ""), "/kube-webhook-certgen")
	args := object.get(c, "args", [])
	args[0] == "create"
	some a in args
	startswith(a, "--secret-name=")
	name := substring(a, count("--secret-name="), -1)
}

certgen_namespace(o, args) := ns if {
	some a in args
	startswith(a, "--namespace=")
	ns := substring(a, count("--namespace="), -1)
	not contains(ns, "$(")
} else := k8s.namespace(o)

# An object can declare what creates Secrets outside what guard reads (an
# operator, a hook): guard.acme.example/creates-secrets: "a, b".
created contains [k8s.context(o), k8s.namespace(o), trim_space(name)] if {
	some o in input.kubernetes.objects
	declared := object.get(o.object.metadata, ["annotations", "guard.acme.example/creates-secrets"], "")
	some name in split(declared, ",")
	trim_space(name) != ""
}

# created_names are [namespace, name] of every created Secret, any cluster.
created_names contains [ns, name] if some [_, ns, name] in created

is_created([context, ns, name]) if [context, ns, name] in created

is_created([_, ns, name]) if ["*", ns, name] in created

is_created(["*", ns, name]) if [ns, name] in created_names

deny contains result if {
	some [context, ns, name, what, id] in references
	not is_created([context, ns, name])
	result := {
		"msg": sprintf("Secret %s/%s, referenced by %s, is created by nothing in this check (no Secret, SecretProviderClass secretObjects, ExternalSecret, kubernetes_secret or hook that generates it; if something guard does not read creates it, annotate that object with guard.acme.example/creates-secrets: %s)", [ns, name, what, name]),
		"resource": id,
	}
}
