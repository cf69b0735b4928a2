# METADATA
# title: t
# custom:
#   id: T-001
package t

deny contains "x" if false
