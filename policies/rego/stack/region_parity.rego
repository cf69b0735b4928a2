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
#   profile: two-region-gke
#   controls: ["Platform: region parity"]
#   remediation: Set the setting the same in both regions (through the region module's inputs, not per-region overrides).
package guard.stack.region_parity

import data.guard.lib.terraform as tf

# settings[type][name] is a setting's path, and the package of the rule that
# owns it (a difference it already reports is not reported twice); the owner's
# findings are evaluated only when its setting differs.
settings := {
	"google_container_cluster": {
		"private nodes": {"path": ["private_cluster_config", 0, "enable_private_nodes"], "owner": "gke_private_nodes"},
		"private endpoint": {"path": ["private_cluster_config", 0, "enable_private_endpoint"], "owner": "gke_private_endpoint"},
		"control-plane global access": {"path": ["private_cluster_config", 0, "master_global_access_config", 0, "enabled"], "owner": ""},
		"authorized networks": {"path": ["master_authorized_networks_config", 0, "cidr_blocks"], "owner": "gke_authorized_networks"},
		"datapath provider": {"path": ["datapath_provider"], "owner": "gke_network_policy"},
		"legacy ABAC": {"path": ["enable_legacy_abac"], "owner": "gke_legacy_abac"},
		"shielded nodes": {"path": ["enable_shielded_nodes"], "owner": "gke_shielded_nodes"},
		"release channel": {"path": ["release_channel", 0, "channel"], "owner": "gke_release_channel"},
		"workload identity": {"path": ["workload_identity_config", 0, "workload_pool"], "owner": "gke_workload_identity"},
		"binary authorization": {"path": ["binary_authorization", 0, "evaluation_mode"], "owner": "gke_binary_authorization"},
		"logging components": {"path": ["logging_config", 0, "enable_components"], "owner": "gke_audit_logging"},
		"client certificate": {"path": ["master_auth", 0, "client_certificate_config", 0, "issue_client_certificate"], "owner": "gke_client_certificate"},
		"secrets encryption": {"path": ["database_encryption", 0, "state"], "owner": "gke_secrets_encryption"},
		"networking mode": {"path": ["networking_mode"], "owner": "gke_vpc_native"},
		"managed prometheus": {"path": ["monitoring_config", 0, "managed_prometheus", 0, "enabled"], "owner": ""},
		"gateway API": {"path": ["gateway_api_config", 0, "channel"], "owner": ""},
	},
	"google_container_node_pool": {
		"image type": {"path": ["node_config", 0, "image_type"], "owner": "gke_cos_containerd"},
		"service account": {"path": ["node_config", 0, "service_account"], "owner": "gke_node_service_account"},
		"metadata mode": {"path": ["node_config", 0, "workload_metadata_config", 0, "mode"], "owner": "gke_metadata_server"},
		"secure boot": {"path": ["node_config", 0, "shielded_instance_config", 0, "enable_secure_boot"], "owner": "gke_shielded_instance"},
		"integrity monitoring": {"path": ["node_config", 0, "shielded_instance_config", 0, "enable_integrity_monitoring"], "owner": "gke_shielded_instance"},
		"auto-upgrade": {"path": ["management", 0, "auto_upgrade"], "owner": "gke_node_auto_upgrade"},
		"auto-repair": {"path": ["management", 0, "auto_repair"], "owner": "gke_node_auto_upgrade"},
		"legacy metadata endpoints": {"path": ["node_config", 0, "metadata", "disable-legacy-endpoints"], "owner": ""},
		"OAuth scopes": {"path": ["node_config", 0, "oauth_scopes"], "owner": ""},
	},
}

# setting_value compares sets as sets (authorized networks, components). A
# value present in values is known; only an absent one may be unknown.
setting_value(r, path) := normalized(raw) if {
	raw := object.get(r.values, path, null)
	raw != null
} else := "(known only after apply)" if {
	tf.unknown(r, path)
} else := null

normalized(raw) := sort([json.marshal(e) | some e in raw]) if is_array(raw)

normalized(raw) := raw if not is_array(raw)

# regional are the resources inside module instances (regions).
regional := [r |
	some type, _ in settings
	some r in tf.resources(type)
	r.module != ""
]

# instances groups the regional instances (their ids) of each block (r.config,
# the address without instance keys) per stack.
instances := {key: [r.id | some r in regional; [r.stack, r.config] == key] |
	some key in {[r.stack, r.config] | some r in regional}
}

by_id := {r.id: r |
	some type, _ in settings
	some r in tf.resources(type)
}

# baseline is the instance the others are compared with: the primary
# region's, else the first by module address.
baseline(group) := by_id[primaries[0]] if {
	primaries := [id | some id in group; tf.region(by_id[id]) == "primary"]
	count(primaries) > 0
} else := by_id[group[0]]

# owned[owner] are the resources a setting's own rule reports (a violation,
# or a warning that its value is known only after apply), evaluated only for
# the owners of settings that differ.
owned[owner] := {f.resource | some level in ["deny", "warn"]; some f in object.get(data.guard.terraform[owner], level, set())} if {
	some _, named in settings
	some _, setting in named
	owner := setting.owner
	owner != ""
}

owned_by(setting, id) if id in owned[setting.owner]

# values_of[id] are an instance's settings, computed once per instance.
values_of[id] := {name: setting_value(r, setting.path) |
	some name, setting in settings[r.type]
} if {
	some id, r in by_id
}

# fingerprints[id] are an instance's values at the settings' paths, and what
# is unknown under each path's first key (one json.filter and one
# object.filter call each): equal fingerprints mean equal settings, so the
# (costlier) values_of is computed only for instances that may differ from
# their baseline, which at thousands of instances are few.
fingerprints[id] := [json.filter(r.values, filter_paths[r.type]), object.filter(r.unknown, first_keys[r.type])] if {
	some id, r in by_id
}

# filter_paths[type] are the settings' paths as json.filter takes them ("a/0/b").
filter_paths[type] := [concat("/", [sprintf("%v", [p]) | some p in setting.path]) |
	some _, setting in named
] if {
	some type, named in settings
}

first_keys[type] := {setting.path[0] | some _, setting in named} if {
	some type, named in settings
}

deny contains result if {
	some group in instances
	count(group) > 1
	base := baseline(group)
	some id in group
	r := by_id[id]
	r.module != base.module
	fingerprints[id] != fingerprints[base.id]
	base_values := values_of[base.id]
	values := values_of[id]
	values != base_values
	some name, setting in settings[r.type]
	vb := base_values[name]
	vr := values[name]
	vb != vr
	not owned_by(setting, base.id)
	not owned_by(setting, r.id)
	result := {
		"msg": sprintf("%s differs between regions: %s has %v, %s has %v", [name, tf.region(base), vb, tf.region(r), vr]),
		"resource": r.id,
	}
}
