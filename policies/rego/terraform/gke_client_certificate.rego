# METADATA
# title: GKE clusters issue no client certificate
# description: |
#   A client certificate is a long-lived credential that cannot be revoked;
#   users authenticate with Google identities instead.
# custom:
#   id: GKE-015
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 5.8.1"]
#   remediation: Set master_auth { client_certificate_config { issue_client_certificate = false } }, or leave it unset.
package guard.terraform.gke_client_certificate

import data.guard.lib.terraform as tf

path := ["master_auth", 0, "client_certificate_config", 0, "issue_client_certificate"]

deny contains result if {
	some r in tf.resources("google_container_cluster")
	tf.value(r, path, false) == true
	result := {"msg": sprintf("cluster %s (%s) issues a client certificate", [r.address, tf.region(r)]), "resource": r.id}
}
