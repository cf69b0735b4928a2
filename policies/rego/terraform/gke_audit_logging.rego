# METADATA
# title: GKE sends control-plane audit logs to Cloud Logging
# description: |
#   logging_config must include the APISERVER component, so API server (audit)
#   logs reach Cloud Logging.
# custom:
#   id: GKE-017
#   severity: MEDIUM
#   controls: ["CIS GKE Benchmark v1.6.0 5.7.1"]
#   remediation: Add "APISERVER" to logging_config { enable_components = [...] }.
package guard.terraform.gke_audit_logging

import data.guard.lib.terraform as tf

path := ["logging_config", 0, "enable_components"]

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not tf.unknown_within(r, path)
	components := tf.value(r, path, [])
	not "APISERVER" in components
	result := {"msg": sprintf("cluster %s (%s) does not log the API server: logging_config components %v", [r.address, tf.region(r), components]), "resource": r.id}
}

warn contains result if {
	some r in tf.resources("google_container_cluster")
	tf.unknown_within(r, path)
	not "APISERVER" in tf.value(r, path, [])
	result := {"msg": sprintf("cluster %s (%s): the logging components are known only after apply", [r.address, tf.region(r)]), "resource": r.id}
}
