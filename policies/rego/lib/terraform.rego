# METADATA
# title: Terraform helpers
# description: |
#   Helpers every Terraform rule uses, so that all rules read resources and
#   treat values known only after apply the same way.
package guard.lib.terraform

# resources(type) is every managed resource of that type that the plan or
# stack keeps (a resource being deleted is not checked).
resources(type) := {r |
	some r in input.terraform.resources
	r.type == type
	r.mode == "managed"
	r.action != "delete"
}

# unknown(r, path) holds when the value at path (an array of keys and
# indexes into r.values) is known only after apply: the path itself or any
# block above it is marked unknown.
unknown(r, path) if {
	some i in numbers.range(1, count(path))
	object.get(r.unknown, array.slice(path, 0, i), false) == true
}

# value(r, path, fallback) is the known value at path, or fallback when it is
# unset or null.
value(r, path, fallback) := v if {
	v := object.get(r.values, path, null)
	v != null
} else := fallback

# region(r) names the region a resource belongs to: the key of its module
# instance ("primary"), else its location or region attribute.
region(r) := key if {
	startswith(r.module, "module.")
	parts := regex.find_all_string_submatch_n(`\["([^"]+)"\]`, r.module, -1)
	count(parts) > 0
	key := parts[count(parts) - 1][1]
} else := value(r, ["location"], value(r, ["region"], "unknown region"))

# refers_to(r, path, type) holds when the value at path is unknown but is known
# to come from an attribute of a resource of that type in the same stack (HCL
# stacks record this in r.references; plans know such values instead).
refers_to(r, path, type) if {
	some ref in object.get(object.get(r, "references", {}), path, [])
	resource_ref_type(ref) == type
}

# resource_ref_type("module.a[\"x\"].google_service_account.sa.email") is
# "google_service_account".
resource_ref_type(ref) := split(regex.replace(ref, `^(module\.[^.\[]+(\[[^\]]*\])?\.)*`, ""), ".")[0]
