# METADATA
# title: The node service account holds only the roles nodes need
# description: |
#   At project level, the service account GKE nodes run as may hold only
#   container.defaultNodeServiceAccount (the role Google recommends for node
#   service accounts, which bundles what follows) or logging.logWriter,
#   monitoring.metricWriter, monitoring.viewer and
#   stackdriver.resourceMetadata.writer. Anything else widens what a
#   compromised node can do. Image pulls (artifactregistry.reader) are IAM-003's
#   to judge: nodes need them, on the repository rather than the project, and
#   one grant is reported once.
# custom:
#   id: IAM-002
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 5.2.1"]
#   remediation: Remove the extra project role; grant roles/artifactregistry.reader on the repository instead.
package guard.terraform.iam_node_service_account_roles

import data.guard.lib.terraform as tf

allowed := {
	"roles/container.defaultNodeServiceAccount",
	"roles/logging.logWriter",
	"roles/monitoring.metricWriter",
	"roles/monitoring.viewer",
	"roles/stackdriver.resourceMetadata.writer",
}

# Image pulls: nodes need them; where they are granted is IAM-003's.
left_to_iam_003 := {"roles/artifactregistry.reader"}

node_grant contains r.id if {
	some r in tf.resources("google_project_iam_member")
	count(tf.service_account_ids(r, ["member"]) & tf.node_service_account_ids) > 0
}

node_grant contains r.id if {
	some r in tf.resources("google_project_iam_binding")
	some i, _ in tf.value(r, ["members"], [])
	count(tf.service_account_ids(r, ["members", i]) & tf.node_service_account_ids) > 0
}

grants := array.concat(tf.resources("google_project_iam_member"), tf.resources("google_project_iam_binding"))

deny contains result if {
	some r in grants
	r.id in node_grant
	not tf.unknown(r, ["role"])
	role := tf.value(r, ["role"], "")
	not role in allowed
	not role in left_to_iam_003
	result := {"msg": sprintf("%s grants %s to the node service account; nodes may hold only %v", [r.address, role, sort(allowed)]), "resource": r.id}
}

deny contains result if {
	some r in grants
	r.id in node_grant
	tf.unknown(r, ["role"])
	result := {"msg": sprintf("%s grants the node service account a role known only after apply; nodes may hold only %v", [r.address, sort(allowed)]), "resource": r.id}
}
