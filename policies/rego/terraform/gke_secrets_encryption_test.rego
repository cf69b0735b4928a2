package guard.terraform.gke_secrets_encryption_test

import data.guard.lib.testing as t
import data.guard.terraform.gke_secrets_encryption as policy

cluster(encryption) := t.terraform([t.resource("google_container_cluster", "c", {"database_encryption": encryption})])

key := "projects/p/locations/europe-west1/keyRings/r/cryptoKeys/gke-secrets"

test_kms_key_passes if count(policy.deny) == 0 with input as cluster([{"state": "ENCRYPTED", "key_name": key}])

# A public module's default: no database_encryption block, or DECRYPTED.
test_missing_fails if count(policy.deny) == 1 with input as t.terraform([t.resource("google_container_cluster", "c", {})])

test_decrypted_fails if count(policy.deny) == 1 with input as cluster([{"state": "DECRYPTED", "key_name": ""}])

test_encrypted_without_key_fails if count(policy.deny) == 1 with input as cluster([{"state": "ENCRYPTED", "key_name": ""}])

# The key is created in the same apply: its id is known only then.
test_key_known_after_apply_passes if {
	r := t.with_unknown(t.resource("google_container_cluster", "c", {"database_encryption": [{"state": "ENCRYPTED"}]}), {"database_encryption": [{"key_name": true}]})
	count(policy.deny) + count(policy.warn) == 0 with input as t.terraform([r])
}

test_state_unknown_warns if {
	r := t.with_unknown(t.resource("google_container_cluster", "c", {"database_encryption": [{}]}), {"database_encryption": [{"state": true}]})
	count(policy.deny) == 0 with input as t.terraform([r])
	count(policy.warn) == 1 with input as t.terraform([r])
}
