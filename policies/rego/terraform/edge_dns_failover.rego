# METADATA
# title: The DNS failover record fails over to another region, quickly
# description: |
#   A primary_backup routing policy needs primary targets, a health-checked
#   backup in a region other than the primary cluster's, a health check, and a
#   TTL of at most 60 s so clients follow a failover within a minute.
# custom:
#   id: EDGE-002
#   severity: MEDIUM
#   profile: two-region-gke
#   controls: ["Platform: active-passive DNS failover"]
#   remediation: Use routing_policy { health_check = ..., primary_backup { primary {...} backup_geo { location = <secondary region> ... } } } and ttl <= 60.
package guard.terraform.edge_dns_failover

import data.guard.lib.terraform as tf

failover_records := [r |
	some r in tf.resources("google_dns_record_set")
	count(tf.value(r, ["routing_policy", 0, "primary_backup"], [])) > 0
]

problem(r) := sprintf("TTL is %v s; at most 60 s lets clients follow a failover", [ttl]) if {
	not tf.unknown(r, ["ttl"])
	ttl := tf.value(r, ["ttl"], 300)
	to_number(ttl) > 60
}

problem(r) := "it has no primary targets" if {
	primary := tf.value(r, ["routing_policy", 0, "primary_backup", 0, "primary", 0], {})
	count(object.get(primary, "external_endpoints", [])) + count(object.get(primary, "internal_load_balancers", [])) == 0
	not targets_unknown(r)
}

# targets_unknown: the primary targets are known only after apply (the
# gateway address is created in the same apply), as a whole or in part.
targets_unknown(r) if {
	some targets in ["external_endpoints", "internal_load_balancers"]
	tf.unknown_within(r, ["routing_policy", 0, "primary_backup", 0, "primary", 0, targets])
}

problem(r) := "it has no health-checked backup" if {
	count(tf.value(r, ["routing_policy", 0, "primary_backup", 0, "backup_geo"], [])) == 0
	not tf.unknown(r, ["routing_policy", 0, "primary_backup", 0, "backup_geo"])
}

problem(r) := "nothing health-checks the external endpoints" if {
	tf.value(r, ["routing_policy", 0, "health_check"], "") == ""
	not tf.unknown(r, ["routing_policy", 0, "health_check"])
	count(tf.value(r, ["routing_policy", 0, "primary_backup", 0, "primary", 0, "external_endpoints"], [])) > 0
}

problem(r) := sprintf("its backup is in %s, the primary cluster's own region", [location]) if {
	some backup in tf.value(r, ["routing_policy", 0, "primary_backup", 0, "backup_geo"], [])
	location := backup.location
	some cluster in tf.role_cluster("primary")
	tf.value(cluster, ["location"], "") == location
}

deny contains result if {
	some r in failover_records
	msg := problem(r)
	result := {"msg": sprintf("DNS failover record %s: %s", [r.address, msg]), "resource": r.id}
}
