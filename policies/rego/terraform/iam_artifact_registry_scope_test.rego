package guard.terraform.iam_artifact_registry_scope_test

import data.guard.lib.testing as t
import data.guard.terraform.iam_artifact_registry_scope as policy

test_repository_grant_passes if {
	count(policy.deny) == 0 with input as t.terraform([t.resource("google_artifact_registry_repository_iam_member", "r", {"role": "roles/artifactregistry.reader", "member": "serviceAccount:n@p.iam.gserviceaccount.com"})])
}

test_project_grant_fails if {
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_project_iam_member", "g", {"role": "roles/artifactregistry.reader", "member": "serviceAccount:n@p.iam.gserviceaccount.com"})])
}
