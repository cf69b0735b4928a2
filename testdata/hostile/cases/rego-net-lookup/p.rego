# METADATA
# title: t
# custom:
#   id: T-001
#   severity: HIGH
package t

deny contains "x" if {
	count(net.lookup_ip_addr("example.com")) > 0
}
