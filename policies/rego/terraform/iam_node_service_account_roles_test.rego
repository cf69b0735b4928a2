package guard.terraform.iam_node_service_account_roles_test

import data.guard.lib.testing as t
import data.guard.terraform.iam_node_service_account_roles as policy

pool := t.resource("google_container_node_pool", "p", {"node_config": [{"service_account": "nodes@p.iam.gserviceaccount.com"}]})

grant(role, member) := t.resource("google_project_iam_member", sprintf("g[%q]", [role]), {"role": role, "member": member})

test_allowed_roles_pass if {
	count(policy.deny) == 0 with input as t.terraform([
		pool,
		grant("roles/logging.logWriter", "serviceAccount:nodes@p.iam.gserviceaccount.com"),
		grant("roles/monitoring.viewer", "serviceAccount:nodes@p.iam.gserviceaccount.com"),
	])
}

# terraform-google-kubernetes-engine grants its node service account the
# role Google recommends for them.
test_default_node_service_account_role_passes if {
	count(policy.deny) == 0 with input as t.terraform([
		pool,
		grant("roles/container.defaultNodeServiceAccount", "serviceAccount:nodes@p.iam.gserviceaccount.com"),
	])
}

# terraform-google-kubernetes-engine's grant_registry_access: image pulls,
# on the whole project. That scope is IAM-003's finding; not reported twice.
test_registry_reader_left_to_iam_003 if {
	count(policy.deny) == 0 with input as t.terraform([pool, grant("roles/artifactregistry.reader", "serviceAccount:nodes@p.iam.gserviceaccount.com")])
}

# Its GCR grant (every bucket of the project) is a role nodes do not need.
test_storage_object_viewer_fails if {
	count(policy.deny) == 1 with input as t.terraform([pool, grant("roles/storage.objectViewer", "serviceAccount:nodes@p.iam.gserviceaccount.com")])
}

test_extra_role_fails if {
	count(policy.deny) == 1 with input as t.terraform([pool, grant("roles/storage.admin", "serviceAccount:nodes@p.iam.gserviceaccount.com")])
}

test_other_account_not_checked if {
	count(policy.deny) == 0 with input as t.terraform([pool, grant("roles/storage.admin", "serviceAccount:ci@p.iam.gserviceaccount.com")])
}

# In HCL the email and member are unknown: the references name the account.
test_extra_role_through_references_fails if {
	sa := t.resource("google_service_account", "google_service_account.nodes", {"account_id": "nodes"})
	hcl_pool := object.union(t.resource("google_container_node_pool", "p", {"node_config": [{}]}), {
		"unknown": {"node_config": [{"service_account": true}]},
		"references": {"node_config": [{"service_account": ["google_service_account.nodes.email"]}]},
	})
	hcl_grant := object.union(t.resource("google_project_iam_member", "g", {"role": "roles/editor"}), {
		"unknown": {"member": true},
		"references": {"member": ["google_service_account.nodes.member"]},
	})
	count(policy.deny) == 1 with input as t.terraform([sa, hcl_pool, hcl_grant])
}

test_unknown_role_fails if {
	g := t.with_unknown(t.resource("google_project_iam_member", "g", {"member": "serviceAccount:nodes@p.iam.gserviceaccount.com"}), {"role": true})
	some f in policy.deny with input as t.terraform([pool, g])
	contains(f.msg, "known only after apply")
}
