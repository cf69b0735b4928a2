package guard.terraform.compute_instance_hardening_test

import data.guard.lib.testing as t
import data.guard.terraform.compute_instance_hardening as policy

hardened := {
	"network_interface": [{"access_config": [], "subnetwork": "s"}],
	"metadata": {"enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE"},
	"can_ip_forward": false,
	"shielded_instance_config": [{"enable_secure_boot": true, "enable_integrity_monitoring": true}],
	"service_account": [{"email": "bastion@p.iam.gserviceaccount.com", "scopes": ["cloud-platform"]}],
}

# with_metadata(m) is the hardened instance with exactly this metadata.
with_metadata(m) := object.union(object.remove(hardened, ["metadata"]), {"metadata": m})

vm(values) := t.terraform([t.resource("google_compute_instance", "google_compute_instance.bastion", values)])

denies_once(values, text) if {
	fs := policy.deny with input as vm(values)
	count(fs) == 1
	some f in fs
	contains(f.msg, text)
}

test_hardened_passes if count(policy.deny) == 0 with input as vm(hardened)

test_external_ip_fails if denies_once(object.union(hardened, {"network_interface": [{"access_config": [{}]}]}), "external IP")

test_os_login_false_fails if {
	denies_once(with_metadata({"enable-oslogin": "FALSE", "block-project-ssh-keys": "TRUE"}), "OS Login")
}

test_os_login_unset_fails if denies_once(with_metadata({"block-project-ssh-keys": "TRUE"}), "OS Login")

test_os_login_from_project_metadata_passes if {
	count(policy.deny) == 0 with input as t.terraform([
		t.resource("google_compute_instance", "i", with_metadata({"block-project-ssh-keys": "TRUE"})),
		t.resource("google_compute_project_metadata_item", "m", {"key": "enable-oslogin", "value": "TRUE"}),
	])
}

test_project_ssh_keys_fail if denies_once(with_metadata({"enable-oslogin": "TRUE"}), "project-wide SSH keys")

test_serial_port_fails if {
	denies_once(object.union(hardened, {"metadata": {"enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE", "serial-port-enable": "true"}}), "serial console")
}

test_ip_forwarding_fails if denies_once(object.union(hardened, {"can_ip_forward": true}), "IP forwarding")

test_secure_boot_unset_fails if denies_once(object.union(hardened, {"shielded_instance_config": [{}]}), "secure boot")

test_default_service_account_fails if {
	denies_once(object.union(hardened, {"service_account": [{"email": "123-compute@developer.gserviceaccount.com"}]}), "default service account")
}

test_service_account_without_email_is_the_default if {
	denies_once(object.union(hardened, {"service_account": [{"scopes": ["cloud-platform"]}]}), "default service account")
}

test_service_account_known_after_apply_passes if {
	r := t.with_unknown(t.resource("google_compute_instance", "i", object.union(hardened, {"service_account": [{"scopes": ["cloud-platform"]}]})), {"service_account": [{"email": true}]})
	count(policy.deny) == 0 with input as t.terraform([r])
}

test_unknown_metadata_warns if {
	r := t.with_unknown(t.resource("google_compute_instance", "i", object.remove(hardened, ["metadata"])), {"metadata": true})
	count(policy.deny) == 0 with input as t.terraform([r])
	count(policy.warn) == 1 with input as t.terraform([r])
}
