# METADATA
# title: t
# custom:
#   id: T-001
#   severity: HIGH
package t

deny contains {"resource": r.id} if {
	some r in input.terraform.resources
}
