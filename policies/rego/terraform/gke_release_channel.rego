# METADATA
# title: GKE clusters are enrolled in a release channel
# description: |
#   A release channel (RAPID, REGULAR, STABLE or EXTENDED) upgrades the
#   control plane and nodes automatically with tested versions and security
#   patches. A cluster created without a release_channel block is enrolled by
#   GKE in REGULAR, the API's default: only a channel set to UNSPECIFIED (no
#   channel) fails.
# custom:
#   id: GKE-014
#   severity: MEDIUM
#   controls: ["CIS GKE Benchmark v1.6.0 5.5.4"]
#   remediation: Set release_channel { channel = "REGULAR" } (or RAPID or STABLE).
package guard.terraform.gke_release_channel

import data.guard.lib.terraform as tf

path := ["release_channel", 0, "channel"]

channels := {"RAPID", "REGULAR", "STABLE", "EXTENDED"}

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not tf.unknown(r, path)
	channel := tf.value(r, path, "REGULAR") # omitted: GKE's default
	not channel in channels
	result := {"msg": sprintf("cluster %s (%s) is not in a release channel (channel %v)", [r.address, tf.region(r), channel]), "resource": r.id}
}
