# METADATA
# title: t
# custom:
#   id: T-001
#   severity: HIGH
package b

deny contains "x" if false
