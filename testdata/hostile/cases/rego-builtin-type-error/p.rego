# METADATA
# title: t
# custom:
#   id: T-001
#   severity: HIGH
package t

deny contains "x" if {
	some r in input.terraform.resources
	lower(r.values) == ""
}
