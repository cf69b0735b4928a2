# METADATA
# title: t
# custom:
#   severity: HIGH
package t

deny contains "x" if false
