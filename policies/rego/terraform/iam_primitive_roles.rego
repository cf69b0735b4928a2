# METADATA
# title: No basic roles for anyone, no admin roles for service accounts
# description: |
#   The basic roles (owner, editor, viewer) grant thousands of permissions
#   across every service: granted to any member (user, group, service
#   account, domain) at project, folder or organization level they defeat
#   least privilege. Service accounts get no *Admin role either.
# custom:
#   id: IAM-001
#   severity: HIGH
#   controls: ["CIS GCP Foundations v3.0.0 1.5"]
#   remediation: Grant the specific predefined roles the workload needs instead.
package guard.terraform.iam_primitive_roles

import data.guard.lib.terraform as tf

# The IAM grants at the three levels of the resource hierarchy.
iam_types := {
	"google_project_iam_member", "google_project_iam_binding",
	"google_folder_iam_member", "google_folder_iam_binding",
	"google_organization_iam_member", "google_organization_iam_binding",
}

primitive := {"roles/owner", "roles/editor", "roles/viewer"}

broad(role) if role in primitive

broad(role) if endswith(role, "Admin")

broad(role) if endswith(role, ".admin")

members(r) := [r.values.member] if {
	is_string(r.values.member)
} else := r.values.members if {
	is_array(r.values.members)
} else := []

deny contains result if {
	some type in iam_types
	some r in tf.resources(type)
	role := tf.value(r, ["role"], "")
	role in primitive
	some m in members(r)
	not startswith(m, "serviceAccount:") # reported below
	result := {
		"msg": sprintf("%s grants the basic role %s to %s", [r.address, role, m]),
		"resource": r.id,
	}
}

deny contains result if {
	some type in iam_types
	some r in tf.resources(type)
	role := tf.value(r, ["role"], "")
	broad(role)
	some m in members(r)
	startswith(m, "serviceAccount:")
	result := {
		"msg": sprintf("%s grants %s to the service account %s", [r.address, role, trim_prefix(m, "serviceAccount:")]),
		"resource": r.id,
	}
}

deny contains result if {
	some type in iam_types
	some r in tf.resources(type)
	role := tf.value(r, ["role"], "")
	broad(role)
	some member in ["member", "members"]
	tf.unknown_within(r, [member])
	result := {
		"msg": sprintf("%s grants %s to a member known only after apply (it may be a service account)", [r.address, role]),
		"resource": r.id,
	}
}
