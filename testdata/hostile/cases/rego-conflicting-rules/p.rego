# METADATA
# title: t
# custom:
#   id: T-001
#   severity: HIGH
package t

x := 1 if true

x := 2 if true

deny contains "y" if x == 1
