# METADATA
# title: No service account impersonation or individual users at the top of the hierarchy
# description: |
#   roles/iam.serviceAccountUser and roles/iam.serviceAccountTokenCreator
#   granted on a project, folder or organization let the member act as every
#   service account in it (the node and workload identities included): grant
#   them on the one service account that needs it
#   (google_service_account_iam_member). And no role at those levels goes to
#   an individual user (user:): grant it to a group, so access is reviewed
#   and revoked in one place.
# custom:
#   id: IAM-004
#   severity: HIGH
#   controls: ["CIS GCP Foundations v3.0.0 1.6"]
#   peers: ["Trivy AVD-GCP-0011", "Trivy AVD-GCP-0003"]
#   remediation: Grant impersonation on the service account itself, not the project; grant roles to groups (group:), not to user:.
package guard.terraform.iam_impersonation

import data.guard.lib.terraform as tf

impersonation := {"roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator"}

levels := {
	"project": ["google_project_iam_member", "google_project_iam_binding", "google_project_iam_policy"],
	"folder": ["google_folder_iam_member", "google_folder_iam_binding", "google_folder_iam_policy"],
	"organization": ["google_organization_iam_member", "google_organization_iam_binding", "google_organization_iam_policy"],
}

# grants are [resource, level, role, member] for every member a resource
# grants (an array: a set would hash every resource it holds).
grants := array.concat(array.concat(member_grants, binding_grants), policy_grants)

member_grants := [[r, level, r.values.role, r.values.member] |
	some level, types in levels
	some type in types
	endswith(type, "_member")
	some r in tf.resources(type)
]

binding_grants := [[r, level, r.values.role, member] |
	some level, types in levels
	some type in types
	endswith(type, "_binding")
	some r in tf.resources(type)
	some member in tf.value(r, ["members"], [])
]

policy_grants := [[r, level, binding.role, member] |
	some level, types in levels
	some type in types
	endswith(type, "_policy")
	some r in tf.resources(type)
	is_string(r.values.policy_data)
	json.is_valid(r.values.policy_data)
	some binding in json.unmarshal(r.values.policy_data).bindings
	some member in binding.members
]

deny contains result if {
	some [r, level, role, member] in grants
	role in impersonation
	result := {
		"msg": sprintf("%s grants %s to %s on the %s: it may impersonate every service account there", [r.address, role, member, level]),
		"resource": r.id,
	}
}

deny contains result if {
	some [r, level, role, member] in grants
	not role in impersonation
	is_string(member)
	startswith(member, "user:")
	result := {
		"msg": sprintf("%s grants %s to %s on the %s: grant it to a group", [r.address, role, member, level]),
		"resource": r.id,
	}
}
