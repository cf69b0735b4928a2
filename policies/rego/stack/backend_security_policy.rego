# METADATA
# title: The Cloud Armor policy a GCPBackendPolicy names exists in the platform
# description: |
#   A GCPBackendPolicy that names a Cloud Armor policy the base stack does not
#   create (a typo, a renamed policy) leaves the backend without a WAF once
#   GKE fails to attach it. For a regional Gateway, the policy must be a
#   regional one in the region of the release's cluster. Checked when the
#   input holds the platform's Cloud Armor policies or clusters.
# custom:
#   id: STK-005
#   severity: MEDIUM
#   controls: ["Platform: WAF attached to every backend"]
#   remediation: Name the policy the base stack creates for that region (output security_policies).
package guard.stack.backend_security_policy

import data.guard.lib.terraform as tf

backend_policies := [o |
	some o in input.kubernetes.objects
	o.object.kind == "GCPBackendPolicy"
	o.object.spec["default"].securityPolicy
]

policies := array.concat(tf.resources("google_compute_security_policy"), tf.resources("google_compute_region_security_policy"))

# cluster_location(o) is the location of the cluster o's release lands on.
cluster_location(o) := tf.value(c, ["location"], "") if {
	some c in tf.role_cluster(o.release.region)
}

matches(o, p) if {
	p.values.name == o.object.spec["default"].securityPolicy
	p.type == "google_compute_security_policy"
}

matches(o, p) if {
	p.values.name == o.object.spec["default"].securityPolicy
	p.type == "google_compute_region_security_policy"
	not cluster_location(o)
}

matches(o, p) if {
	p.values.name == o.object.spec["default"].securityPolicy
	p.type == "google_compute_region_security_policy"
	tf.value(p, ["region"], "") == cluster_location(o)
}

# unnamed are the Cloud Armor policies whose name is known only after apply:
# any of them may be the one a backend policy names.
unnamed := [p | some p in policies; tf.unknown(p, ["name"])]

deny contains result if {
	count(policies) + count(tf.resources("google_container_cluster")) > 0
	count(unnamed) == 0
	some o in backend_policies
	not any_match(o)
	result := {
		"msg": sprintf("GCPBackendPolicy %s/%s names Cloud Armor policy %q, which the Terraform in this check does not create%s", [o.object.metadata.namespace, o.object.metadata.name, o.object.spec["default"].securityPolicy, in_region(o)]),
		"resource": o.id,
	}
}

warn contains result if {
	count(unnamed) > 0
	some o in backend_policies
	not any_match(o)
	result := {
		"msg": sprintf("GCPBackendPolicy %s/%s names Cloud Armor policy %q; the names of %v are known only after apply, so it cannot be verified", [o.object.metadata.namespace, o.object.metadata.name, o.object.spec["default"].securityPolicy, sort([p.address | some p in unnamed])]),
		"resource": o.id,
	}
}

any_match(o) if {
	some p in policies
	matches(o, p)
}

in_region(o) := sprintf(" in %s", [cluster_location(o)]) if cluster_location(o)

in_region(o) := "" if not cluster_location(o)
