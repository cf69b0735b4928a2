# METADATA
# title: GKE clusters enforce Binary Authorization
# description: |
#   Only images that satisfy the project's Binary Authorization policy (e.g.
#   signed by the build pipeline) may run.
# custom:
#   id: GKE-016
#   severity: MEDIUM
#   controls: ["CIS GKE Benchmark v1.6.0 5.10.4"]
#   remediation: Set binary_authorization { evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE" }.
package guard.terraform.gke_binary_authorization

import data.guard.lib.terraform as tf

enforced(r) if tf.value(r, ["binary_authorization", 0, "evaluation_mode"], "") == "PROJECT_SINGLETON_POLICY_ENFORCE"

enforced(r) if tf.value(r, ["binary_authorization", 0, "enabled"], false) == true

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not enforced(r)
	not tf.unknown(r, ["binary_authorization", 0, "evaluation_mode"])
	result := {"msg": sprintf("cluster %s (%s) does not enforce Binary Authorization (evaluation_mode %v)", [r.address, tf.region(r), tf.value(r, ["binary_authorization", 0, "evaluation_mode"], "unset")]), "resource": r.id}
}
