# METADATA
# title: t
# custom:
#   id: T-001
#   severity: HIGH
package t

deny contains x if {
