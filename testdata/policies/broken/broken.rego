# METADATA
# custom:
#   id: BROKEN-1
#   severity: LOW
package guard.broken

deny contains msg if {
	msg := 
}
