# METADATA
# custom:
#   id: T-1
#   severity: LOW
package test.wrong

deny contains "always" if true
