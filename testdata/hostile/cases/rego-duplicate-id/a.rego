# METADATA
# title: t
# custom:
#   id: T-001
#   severity: HIGH
package a

deny contains "x" if false
