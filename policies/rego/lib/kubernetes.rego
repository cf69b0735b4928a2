# METADATA
# title: Kubernetes helpers
# description: |
#   Helpers for rules on Kubernetes objects: workloads, their pod specs and
#   images, and the context (cluster region) an object lands in.
package guard.lib.kubernetes

# Rollout: Argo Rollouts (argoproj.io), whose spec.template is a pod template.
workload_kinds := {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController", "Rollout"}

# workloads are the objects that run pods (an array: see resources in
# guard.lib.terraform).
workloads := [input.kubernetes.objects[i] |
	some kind in workload_kinds
	some i in input.kubernetes.by_kind[kind]
] if {
	input.kubernetes.by_kind
} else := [o |
	some o in input.kubernetes.objects
	o.object.kind in workload_kinds
]

# objects(kind) are the objects of a kind (through the by_kind index when the
# input has it).
objects(kind) := [input.kubernetes.objects[i] | some i in input.kubernetes.by_kind[kind]] if {
	input.kubernetes.by_kind
} else := [o |
	some o in input.kubernetes.objects
	o.object.kind == kind
]

# by_kind(objects) is the index guard puts in the input as by_kind.
by_kind(objects) := {k: [i | some i, o in objects; o.object.kind == k] | some o in objects; k := o.object.kind}

# pod_spec(o) is the pod spec of a workload.
pod_spec(o) := o.object.spec if o.object.kind == "Pod"

pod_spec(o) := o.object.spec.jobTemplate.spec.template.spec if o.object.kind == "CronJob"

pod_spec(o) := o.object.spec.template.spec if not o.object.kind in {"Pod", "CronJob"}

# containers(o) are every container of a workload, init and ephemeral ones too.
containers(o) := [c |
	spec := pod_spec(o)
	some field in ["initContainers", "containers", "ephemeralContainers"]
	some c in object.get(spec, field, [])
]

# namespace(o) is where an object lands.
namespace(o) := object.get(o.object.metadata, "namespace", "default")

# context(o) names the cluster an object lands in: its release's region, else
# the chart that rendered it, else "" for plain manifests (one cluster).
context(o) := o.release.region if {
	o.release.region
} else := o.release.chart if {
	o.release.chart
} else := ""

# key(o) names an object in the input: its context, namespace and name.
key(o) := [context(o), namespace(o), o.object.metadata.name]

# system_namespaces are the systemNamespaces parameter (values.yaml): the
# Kyverno pod policies leave them out (docs/policies.md, "Where the pod
# policies apply"), and so do the Rego policies about workloads and their
# bindings.
system_namespaces := {ns | some ns in data.guard.parameters.systemNamespaces}

# labels(o) are the object's labels.
labels(o) := object.get(o.object.metadata, "labels", {})
