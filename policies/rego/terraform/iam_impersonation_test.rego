package guard.terraform.iam_impersonation_test

import data.guard.lib.testing as t
import data.guard.terraform.iam_impersonation as policy

member(type, role, m) := t.terraform([t.resource(type, "g", {"role": role, "member": m})])

test_token_creator_to_a_group_on_the_project_fails if {
	count(policy.deny) == 1 with input as member("google_project_iam_member", "roles/iam.serviceAccountTokenCreator", "group:ops@acme.example")
}

test_service_account_user_to_a_user_fails_once if {
	count(policy.deny) == 1 with input as member("google_project_iam_member", "roles/iam.serviceAccountUser", "user:someone@acme.example")
}

test_impersonation_in_a_folder_binding_fails if {
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_folder_iam_binding", "b", {"role": "roles/iam.serviceAccountUser", "members": ["serviceAccount:ci@p.iam.gserviceaccount.com"]})])
}

test_impersonation_in_a_policy_document_fails if {
	doc := json.marshal({"bindings": [{"role": "roles/iam.serviceAccountTokenCreator", "members": ["group:ops@acme.example"]}]})
	count(policy.deny) == 1 with input as t.terraform([t.resource("google_organization_iam_policy", "p", {"policy_data": doc})])
}

test_impersonation_on_one_service_account_passes if {
	count(policy.deny) == 0 with input as member("google_service_account_iam_member", "roles/iam.serviceAccountUser", "user:someone@acme.example")
}

test_role_to_a_user_fails if {
	count(policy.deny) == 1 with input as member("google_project_iam_member", "roles/logging.viewer", "user:someone@acme.example")
}

test_role_to_a_group_passes if {
	count(policy.deny) == 0 with input as member("google_project_iam_member", "roles/logging.viewer", "group:ops@acme.example")
}

test_role_to_a_service_account_passes if {
	count(policy.deny) == 0 with input as member("google_project_iam_member", "roles/logging.logWriter", "serviceAccount:n@p.iam.gserviceaccount.com")
}
