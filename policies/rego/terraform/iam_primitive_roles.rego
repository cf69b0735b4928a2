# METADATA
# title: No primitive or admin roles for service accounts
# description: |
#   Service accounts get narrowly scoped roles. The primitive roles (owner,
#   editor, viewer) and any *Admin role granted to a service account at
#   project level defeat least privilege.
# custom:
#   id: IAM-001
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 5.2.1"]
#   remediation: Grant the specific predefined roles the workload needs instead.
package guard.terraform.iam_primitive_roles

import data.guard.lib.terraform as tf

iam_types := {"google_project_iam_member", "google_project_iam_binding"}

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
