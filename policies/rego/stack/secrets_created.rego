# METADATA
# title: Every Secret the platform references is created
# description: |
#   A Secret that a workload (volumes, env, envFrom, imagePullSecrets), a
#   Gateway listener (certificateRefs) or a Helm release's values
#   (existingSecret, the convention of Grafana's and most charts) names must
#   be created by something in the check: a Secret manifest in the same
#   cluster and namespace, a SecretProviderClass that syncs it from Secret
#   Manager (spec.secretObjects), an ExternalSecret that targets it, or a
#   kubernetes_secret in Terraform. Otherwise the pod does not start, the
#   listener serves no certificate, or the release fails, after apply, in
#   production; or somebody creates it by hand and nobody reviews it.
#   References marked optional are not required.
# custom:
#   id: STK-006
#   severity: MEDIUM
#   controls: ["Platform: secrets are created by code"]
#   remediation: Create the Secret where the reference is (chart or stack), sync it from Secret Manager with a SecretProviderClass (secretObjects), or drop the reference (e.g. a chart-generated Secret, a Certificate Manager certificate).
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

# created_names are [namespace, name] of every created Secret, any cluster.
created_names contains [ns, name] if some [_, ns, name] in created

is_created([context, ns, name]) if [context, ns, name] in created

is_created([_, ns, name]) if ["*", ns, name] in created

is_created(["*", ns, name]) if [ns, name] in created_names

deny contains result if {
	some [context, ns, name, what, id] in references
	not is_created([context, ns, name])
	result := {
		"msg": sprintf("Secret %s/%s, referenced by %s, is created by nothing in this check (no Secret, SecretProviderClass secretObjects, ExternalSecret or kubernetes_secret)", [ns, name, what]),
		"resource": id,
	}
}
