# METADATA
# title: GKE encrypts Kubernetes Secrets with a Cloud KMS key
# description: |
#   Application-layer Secrets encryption: the cluster's Secrets are
#   encrypted in etcd with a key the project holds in Cloud KMS
#   (database_encryption with state ENCRYPTED and a key_name), beyond
#   Google's default encryption at rest (CIS GKE 5.3.1).
# custom:
#   id: GKE-020
#   severity: MEDIUM
#   controls: ["CIS GKE Benchmark v1.6.0 5.3.1"]
#   remediation: Set database_encryption { state = "ENCRYPTED", key_name = google_kms_crypto_key.secrets.id } with a key in the cluster's region that GKE's service agent (service-PROJECT_NUMBER@container-engine-robot.iam.gserviceaccount.com) may use as roles/cloudkms.cryptoKeyEncrypterDecrypter.
package guard.terraform.gke_secrets_encryption

import data.guard.lib.terraform as tf

state_path := ["database_encryption", 0, "state"]

key_path := ["database_encryption", 0, "key_name"]

encrypted_states := {"ENCRYPTED", "ALL_OBJECTS_ENCRYPTION_ENABLED"}

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not tf.unknown(r, state_path)
	state := tf.value(r, state_path, "not set")
	not state in encrypted_states
	result := {"msg": sprintf("cluster %s (%s) does not encrypt Secrets with a Cloud KMS key: database_encryption state is %s", [r.address, tf.region(r), state]), "resource": r.id}
}

# Encrypted, but with no key: GKE refuses it, and nothing says which key.
deny contains result if {
	some r in tf.resources("google_container_cluster")
	tf.value(r, state_path, "") in encrypted_states
	not tf.unknown(r, key_path)
	tf.value(r, key_path, "") == ""
	result := {"msg": sprintf("cluster %s (%s) encrypts Secrets but names no Cloud KMS key (database_encryption key_name is not set)", [r.address, tf.region(r)]), "resource": r.id}
}

warn contains result if {
	some r in tf.resources("google_container_cluster")
	tf.unknown(r, state_path)
	result := {"msg": sprintf("cluster %s (%s): whether Secrets are encrypted with a Cloud KMS key is known only after apply", [r.address, tf.region(r)]), "resource": r.id}
}
