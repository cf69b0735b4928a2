# METADATA
# title: GKE sends its logs to Cloud Logging
# description: |
#   Each cluster logs to Cloud Logging (CIS GKE 5.7.1): logging_service is
#   GKE's Cloud Logging for Kubernetes (its default when unset), and
#   logging_config, when set, does not turn every component off. Where the
#   requiredLoggingComponents parameter names components (e.g. APISERVER,
#   the API server's own logs, beside Cloud Audit Logs, which are always
#   on), logging_config enables each of them; without logging_config a
#   cluster logs its system components and workloads, GKE's default.
# custom:
#   id: GKE-017
#   severity: MEDIUM
#   parameters: [requiredLoggingComponents]
#   controls: ["CIS GKE Benchmark v1.6.0 5.7.1"]
#   remediation: Leave logging_service unset (or "logging.googleapis.com/kubernetes") and enable the components the requiredLoggingComponents parameter names in logging_config { enable_components = [...] }.
package guard.terraform.gke_audit_logging

import data.guard.lib.terraform as tf

path := ["logging_config", 0, "enable_components"]

# GKE's default components when logging_config is not set.
default_components := ["SYSTEM_COMPONENTS", "WORKLOADS"]

required := object.get(data.guard.parameters, "requiredLoggingComponents", [])

components(r) := tf.value(r, path, default_components) if {
	not tf.value(r, ["logging_config"], []) == []
} else := default_components

deny contains result if {
	some r in tf.resources("google_container_cluster")
	service := tf.value(r, ["logging_service"], "logging.googleapis.com/kubernetes")
	service != "logging.googleapis.com/kubernetes"
	result := {"msg": sprintf("cluster %s (%s) does not log to Cloud Logging for Kubernetes: logging_service is %q", [r.address, tf.region(r), service]), "resource": r.id}
}

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not tf.unknown_within(r, path)
	tf.value(r, ["logging_config"], []) != []
	tf.value(r, path, null) == []
	result := {"msg": sprintf("cluster %s (%s) logs nothing: logging_config enables no component", [r.address, tf.region(r)]), "resource": r.id}
}

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not tf.unknown_within(r, path)
	have := components(r)
	have != []
	missing := [c | some c in required; not c in have]
	count(missing) > 0
	result := {"msg": sprintf("cluster %s (%s) does not log %s, which the requiredLoggingComponents parameter requires: logging_config components %v", [r.address, tf.region(r), concat(", ", missing), have]), "resource": r.id}
}

warn contains result if {
	some r in tf.resources("google_container_cluster")
	tf.unknown_within(r, path)
	missing := [c | some c in required; not c in tf.value(r, path, [])]
	count(missing) > 0
	result := {"msg": sprintf("cluster %s (%s): the logging components are known only after apply", [r.address, tf.region(r)]), "resource": r.id}
}
