# METADATA
# title: Both regions have the same security settings
# description: |
#   In an active-passive pair the passive region takes all traffic after a
#   failover, so its clusters and node pools must be exactly as hardened as the
#   active one's. Each security-relevant setting that differs between two
#   module instances of the same cluster or node pool is reported, unless the
#   setting's own rule already reports it.
# custom:
#   id: STK-001
#   severity: MEDIUM
#   controls: ["Platform: region parity"]
#   remediation: Set the setting the same in both regions (through the region module's inputs, not per-region overrides).
package guard.stack.region_parity

import data.guard.lib.terraform as tf
import data.guard.terraform.gke_audit_logging
import data.guard.terraform.gke_authorized_networks
import data.guard.terraform.gke_binary_authorization
import data.guard.terraform.gke_client_certificate
import data.guard.terraform.gke_cos_containerd
import data.guard.terraform.gke_legacy_abac
import data.guard.terraform.gke_metadata_server
import data.guard.terraform.gke_network_policy
import data.guard.terraform.gke_node_auto_upgrade
import data.guard.terraform.gke_node_service_account
import data.guard.terraform.gke_private_endpoint
import data.guard.terraform.gke_private_nodes
import data.guard.terraform.gke_release_channel
import data.guard.terraform.gke_shielded_instance
import data.guard.terraform.gke_shielded_nodes
import data.guard.terraform.gke_vpc_native
import data.guard.terraform.gke_workload_identity

# settings[type][name] is a setting's path, and the findings of the rule that
# owns it (a difference it already reports is not reported twice).
settings := {
	"google_container_cluster": {
		"private nodes": {"path": ["private_cluster_config", 0, "enable_private_nodes"], "owner": gke_private_nodes.deny},
		"private endpoint": {"path": ["private_cluster_config", 0, "enable_private_endpoint"], "owner": gke_private_endpoint.deny},
		"control-plane global access": {"path": ["private_cluster_config", 0, "master_global_access_config", 0, "enabled"], "owner": set()},
		"authorized networks": {"path": ["master_authorized_networks_config", 0, "cidr_blocks"], "owner": gke_authorized_networks.deny},
		"datapath provider": {"path": ["datapath_provider"], "owner": gke_network_policy.deny},
		"legacy ABAC": {"path": ["enable_legacy_abac"], "owner": gke_legacy_abac.deny},
		"shielded nodes": {"path": ["enable_shielded_nodes"], "owner": gke_shielded_nodes.deny},
		"release channel": {"path": ["release_channel", 0, "channel"], "owner": gke_release_channel.deny},
		"workload identity": {"path": ["workload_identity_config", 0, "workload_pool"], "owner": gke_workload_identity.deny},
		"binary authorization": {"path": ["binary_authorization", 0, "evaluation_mode"], "owner": gke_binary_authorization.deny},
		"logging components": {"path": ["logging_config", 0, "enable_components"], "owner": gke_audit_logging.deny},
		"client certificate": {"path": ["master_auth", 0, "client_certificate_config", 0, "issue_client_certificate"], "owner": gke_client_certificate.deny},
		"networking mode": {"path": ["networking_mode"], "owner": gke_vpc_native.deny},
		"managed prometheus": {"path": ["monitoring_config", 0, "managed_prometheus", 0, "enabled"], "owner": set()},
		"gateway API": {"path": ["gateway_api_config", 0, "channel"], "owner": set()},
	},
	"google_container_node_pool": {
		"image type": {"path": ["node_config", 0, "image_type"], "owner": gke_cos_containerd.deny},
		"service account": {"path": ["node_config", 0, "service_account"], "owner": gke_node_service_account.deny},
		"metadata mode": {"path": ["node_config", 0, "workload_metadata_config", 0, "mode"], "owner": gke_metadata_server.deny},
		"secure boot": {"path": ["node_config", 0, "shielded_instance_config", 0, "enable_secure_boot"], "owner": gke_shielded_instance.deny},
		"integrity monitoring": {"path": ["node_config", 0, "shielded_instance_config", 0, "enable_integrity_monitoring"], "owner": gke_shielded_instance.deny},
		"auto-upgrade": {"path": ["management", 0, "auto_upgrade"], "owner": gke_node_auto_upgrade.deny},
		"auto-repair": {"path": ["management", 0, "auto_repair"], "owner": gke_node_auto_upgrade.deny},
		"legacy metadata endpoints": {"path": ["node_config", 0, "metadata", "disable-legacy-endpoints"], "owner": set()},
		"OAuth scopes": {"path": ["node_config", 0, "oauth_scopes"], "owner": set()},
	},
}

# setting_value compares sets as sets (authorized networks, components).
setting_value(r, path) := "(known only after apply)" if {
	tf.unknown(r, path)
} else := v if {
	raw := object.get(r.values, path, null)
	is_array(raw)
	v := sort([json.marshal(e) | some e in raw])
} else := object.get(r.values, path, null)

# counterparts are two instances of the same block in different module
# instances (regions) of one stack: module.region["primary"] and ["secondary"].
counterparts contains [a, b] if {
	some type, _ in settings
	some a in tf.resources(type)
	some b in tf.resources(type)
	a.stack == b.stack
	a.module != b.module
	a.module < b.module
	regex.replace(a.address, `^.*\]\.`, "") == regex.replace(b.address, `^.*\]\.`, "")
	regex.replace(a.module, `\[[^\]]*\]`, "") == regex.replace(b.module, `\[[^\]]*\]`, "")
}

owned(setting, r) if {
	some f in setting.owner
	f.resource == r.id
}

deny contains result if {
	some [a, b] in counterparts
	some name, setting in settings[a.type]
	va := setting_value(a, setting.path)
	vb := setting_value(b, setting.path)
	va != vb
	not owned(setting, a)
	not owned(setting, b)
	result := {
		"msg": sprintf("%s differs between regions: %s has %v, %s has %v", [name, tf.region(a), va, tf.region(b), vb]),
		"resource": b.id,
	}
}
