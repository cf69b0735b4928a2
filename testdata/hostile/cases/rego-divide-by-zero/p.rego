# METADATA
# title: t
# custom:
#   id: T-001
#   severity: HIGH
package t

deny contains "x" if {
	some r in input.terraform.resources
	1 / (count(r.values) - count(r.values)) > 0
}
