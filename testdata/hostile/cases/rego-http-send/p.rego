# METADATA
# title: t
# custom:
#   id: T-001
#   severity: HIGH
package t

deny contains "reachable" if {
	http.send({"method": "GET", "url": "http://example.com"}).status_code == 200
}
