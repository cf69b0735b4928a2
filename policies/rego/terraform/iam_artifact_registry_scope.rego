# METADATA
# title: Artifact Registry access is granted on the repository, not the project
# description: |
#   A project-level Artifact Registry role reaches every repository in the
#   project. Grant image pulls on the one repository the platform uses.
# custom:
#   id: IAM-003
#   severity: MEDIUM
#   controls: ["CIS GKE Benchmark v1.6.0 5.1.3"]
#   remediation: Replace the project grant with google_artifact_registry_repository_iam_member on the repository.
package guard.terraform.iam_artifact_registry_scope

import data.guard.lib.terraform as tf

deny contains result if {
	some type in {"google_project_iam_member", "google_project_iam_binding"}
	some r in tf.resources(type)
	role := tf.value(r, ["role"], "")
	startswith(role, "roles/artifactregistry.")
	result := {"msg": sprintf("%s grants %s on the whole project; grant it on the repository", [r.address, role]), "resource": r.id}
}
