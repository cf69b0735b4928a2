# METADATA
# title: Compute instances are hardened (the bastion and every other VM)
# description: |
#   A VM is reached through IAP and OS Login only: no external IP, OS Login
#   on, project-wide SSH keys blocked, no serial console; it does not route
#   others' traffic (no IP forwarding), boots verified (Shielded VM secure
#   boot) and runs as its own service account, not the Compute Engine default
#   one (Editor on the project). Unset settings are judged as GCP applies
#   them: OS Login and key blocking off, secure boot off.
# custom:
#   id: VM-001
#   severity: HIGH
#   controls: ["CIS GCP Foundations v3.0.0 4.1", "CIS GCP Foundations v3.0.0 4.3", "CIS GCP Foundations v3.0.0 4.4", "CIS GCP Foundations v3.0.0 4.5", "CIS GCP Foundations v3.0.0 4.6", "CIS GCP Foundations v3.0.0 4.8", "CIS GCP Foundations v3.0.0 4.9"]
#   peers: ["Trivy AVD-GCP-0031", "Trivy AVD-GCP-0036", "Trivy AVD-GCP-0030", "Trivy AVD-GCP-0032", "Trivy AVD-GCP-0043", "Trivy AVD-GCP-0067", "Trivy AVD-GCP-0044"]
#   remediation: Remove access_config; set metadata enable-oslogin = "TRUE" and block-project-ssh-keys = "TRUE" (and no serial-port-enable); can_ip_forward = false; shielded_instance_config { enable_secure_boot = true }; a dedicated service_account.
package guard.terraform.compute_instance_hardening

import data.guard.lib.terraform as tf

# OS Login set project-wide (google_compute_project_metadata or _item) counts
# for every instance that does not turn it off.
project_os_login if {
	some r in tf.resources("google_compute_project_metadata")
	upper(object.get(tf.value(r, ["metadata"], {}), "enable-oslogin", "")) == "TRUE"
}

project_os_login if {
	some r in tf.resources("google_compute_project_metadata_item")
	tf.value(r, ["key"], "") == "enable-oslogin"
	upper(tf.value(r, ["value"], "")) == "TRUE"
}

instances := tf.resources("google_compute_instance")

metadata_value(r, key) := upper(object.get(tf.value(r, ["metadata"], {}), key, ""))

deny contains finding(r, sprintf("network_interface[%d] has an external IP (access_config)", [i])) if {
	some r in instances
	some i, nic in tf.value(r, ["network_interface"], [])
	not tf.unknown_within(r, ["network_interface", i, "access_config"])
	count(object.get(nic, "access_config", [])) > 0
}

deny contains finding(r, "OS Login is off (metadata enable-oslogin is not TRUE)") if {
	some r in instances
	not tf.unknown(r, ["metadata"])
	metadata_value(r, "enable-oslogin") != "TRUE"
	not project_os_login
}

deny contains finding(r, "OS Login is turned off for this instance (metadata enable-oslogin)") if {
	some r in instances
	not tf.unknown(r, ["metadata"])
	metadata_value(r, "enable-oslogin") in {"FALSE", "0"}
	project_os_login
}

deny contains finding(r, "project-wide SSH keys are allowed (metadata block-project-ssh-keys is not TRUE)") if {
	some r in instances
	not tf.unknown(r, ["metadata"])
	metadata_value(r, "block-project-ssh-keys") != "TRUE"
}

deny contains finding(r, "the serial console is enabled (metadata serial-port-enable)") if {
	some r in instances
	not tf.unknown(r, ["metadata"])
	metadata_value(r, "serial-port-enable") in {"TRUE", "1"}
}

deny contains finding(r, "IP forwarding is on (can_ip_forward)") if {
	some r in instances
	tf.value(r, ["can_ip_forward"], false) == true
}

deny contains finding(r, "Shielded VM secure boot is off") if {
	some r in instances
	path := ["shielded_instance_config", 0, "enable_secure_boot"]
	not tf.unknown(r, path)
	tf.value(r, path, false) != true
}

deny contains finding(r, "it runs as the Compute Engine default service account") if {
	some r in instances
	some i, _ in tf.value(r, ["service_account"], [])
	path := ["service_account", i, "email"]
	not tf.unknown(r, path)
	email := tf.value(r, path, "default")
	default_service_account(email)
}

default_service_account("default")

default_service_account(email) if endswith(email, "-compute@developer.gserviceaccount.com")

finding(r, msg) := {"msg": sprintf("instance %s: %s", [r.address, msg]), "resource": r.id}

warn contains result if {
	some r in instances
	tf.unknown(r, ["metadata"])
	result := {"msg": sprintf("instance %s: its metadata (OS Login, SSH keys, serial console) is known only after apply", [r.address]), "resource": r.id}
}
