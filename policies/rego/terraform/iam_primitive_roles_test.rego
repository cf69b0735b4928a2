package guard.terraform.iam_primitive_roles_test

import data.guard.terraform.iam_primitive_roles as policy

grant(role, member, unknown) := grant_at("google_project_iam_member", role, member, unknown)

grant_at(type, role, member, unknown) := {"terraform": {"resources": [{
	"id": "g", "address": "g", "type": type, "mode": "managed",
	"action": "create", "module": "", "values": {"role": role, "member": member}, "unknown": unknown,
}]}}

sa := "serviceAccount:nodes@p.iam.gserviceaccount.com"

test_narrow_role_passes if {
	count(policy.deny) == 0 with input as grant("roles/logging.logWriter", sa, {})
}

test_editor_fails if {
	count(policy.deny) == 1 with input as grant("roles/editor", sa, {})
}

test_admin_role_fails if {
	count(policy.deny) == 1 with input as grant("roles/container.clusterAdmin", sa, {})
}

test_owner_for_user_fails if {
	count(policy.deny) == 1 with input as grant("roles/owner", "user:a@example.com", {})
}

test_viewer_for_group_at_folder_fails if {
	count(policy.deny) == 1 with input as grant_at("google_folder_iam_member", "roles/viewer", "group:devs@example.com", {})
}

test_editor_in_organization_binding_fails if {
	count(policy.deny) == 1 with input as {"terraform": {"resources": [{
		"id": "g", "address": "g", "type": "google_organization_iam_binding", "mode": "managed", "action": "create",
		"module": "", "values": {"role": "roles/editor", "members": ["domain:example.com"]}, "unknown": {},
	}]}}
}

test_admin_role_for_user_not_this_rule if {
	count(policy.deny) == 0 with input as grant("roles/container.clusterAdmin", "user:a@example.com", {})
}

test_admin_role_at_folder_for_service_account_fails if {
	count(policy.deny) == 1 with input as grant_at("google_folder_iam_member", "roles/container.admin", sa, {})
}

test_unknown_member_fails if {
	count(policy.deny) == 1 with input as grant("roles/owner", null, {"member": true})
}

test_binding_members_checked if {
	count(policy.deny) == 1 with input as {"terraform": {"resources": [{
		"id": "b", "address": "b", "type": "google_project_iam_binding", "mode": "managed",
		"action": "create", "module": "", "values": {"role": "roles/owner", "members": [sa]}, "unknown": {},
	}]}}
}

test_members_with_unknown_element_fail if {
	plan := {"terraform": {"resources": [{
		"id": "b", "address": "b", "type": "google_project_iam_binding", "mode": "managed", "action": "create", "module": "",
		"values": {"role": "roles/editor", "members": ["user:a@example.com", null]}, "unknown": {"members": [false, true]},
	}]}}
	some f in policy.deny with input as plan
	contains(f.msg, "known only after apply")
}

test_members_unknown_as_a_whole_fail if {
	plan := {"terraform": {"resources": [{
		"id": "b", "address": "b", "type": "google_project_iam_binding", "mode": "managed", "action": "create", "module": "",
		"values": {"role": "roles/editor"}, "unknown": {"members": true},
	}]}}
	count(policy.deny) == 1 with input as plan
}
