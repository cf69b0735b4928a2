# METADATA
# title: GKE master authorized networks are set and never open to the internet
# description: |
#   Only listed internal networks may reach the control plane:
#   master_authorized_networks_config must be present and no CIDR may be
#   0.0.0.0/0. Authorized networks known only after apply cannot be
#   verified: a warning. A
#   cluster whose IP endpoint is disabled (control_plane_endpoints_config,
#   DNS endpoint only) has nothing a network could reach.
# custom:
#   id: GKE-003
#   severity: HIGH
#   controls: ["CIS GKE Benchmark v1.6.0 5.6.3"]
#   remediation: Add master_authorized_networks_config with the bastion subnet only; remove 0.0.0.0/0.
package guard.terraform.gke_authorized_networks

import data.guard.lib.terraform as tf

config := ["master_authorized_networks_config"]

deny contains result if {
	some r in tf.resources("google_container_cluster")
	not tf.ip_endpoint_disabled(r)
	not tf.unknown(r, config)
	count(tf.value(r, config, [])) == 0
	result := {
		"msg": sprintf("cluster %s (%s) has no master_authorized_networks_config: any address may reach the control plane", [r.address, tf.region(r)]),
		"resource": r.id,
	}
}

deny contains result if {
	some r in tf.resources("google_container_cluster")
	some block in tf.value(r, config, [])
	some cidr in object.get(block, "cidr_blocks", [])
	cidr.cidr_block in {"0.0.0.0/0", "::/0"}
	result := {
		"msg": sprintf("cluster %s (%s) authorizes %s (%s) to reach the control plane", [r.address, tf.region(r), cidr.cidr_block, object.get(cidr, "display_name", "")]),
		"resource": r.id,
	}
}

warn contains result if {
	some r in tf.resources("google_container_cluster")
	some i
	tf.value(r, config, [])[i]
	cidrs_unknown(r, i)
	result := {
		"msg": sprintf("cluster %s (%s): authorized networks are known only after apply, so they cannot be verified", [r.address, tf.region(r)]),
		"resource": r.id,
	}
}

# cidrs_unknown(r, i): the CIDR blocks of config block i, or one of their
# cidr_block values, are known only after apply.
cidrs_unknown(r, i) if tf.unknown(r, array.concat(config, [i, "cidr_blocks"]))

cidrs_unknown(r, i) if {
	some j, _ in tf.value(r, array.concat(config, [i, "cidr_blocks"]), [])
	tf.unknown(r, array.concat(config, [i, "cidr_blocks", j, "cidr_block"]))
}
