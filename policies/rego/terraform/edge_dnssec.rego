# METADATA
# title: Public DNS zones are signed with DNSSEC
# description: |
#   DNSSEC lets resolvers detect forged answers, so nobody can redirect the
#   app's name to another address. Its keys are not RSASHA1 (SHA-1
#   signatures can be forged); unset key specs get Cloud DNS's default,
#   RSASHA256.
# custom:
#   id: EDGE-003
#   severity: MEDIUM
#   controls: ["CIS GCP Foundations v3.0.0 3.3", "CIS GCP Foundations v3.0.0 3.4", "CIS GCP Foundations v3.0.0 3.5"]
#   peers: ["Trivy AVD-GCP-0013", "Trivy AVD-GCP-0012"]
#   remediation: Set dnssec_config { state = "on" } on the public zone, with RSASHA256 (or stronger) key and zone signing keys if you set default_key_specs.
package guard.terraform.edge_dnssec

import data.guard.lib.terraform as tf

deny contains result if {
	some r in tf.resources("google_dns_managed_zone")
	lower(tf.value(r, ["visibility"], "public")) == "public"
	not tf.unknown(r, ["dnssec_config", 0, "state"])
	state := tf.value(r, ["dnssec_config", 0, "state"], "off")
	state != "on"
	result := {"msg": sprintf("public zone %s is not signed: DNSSEC state is %v", [r.address, state]), "resource": r.id}
}

deny contains result if {
	some r in tf.resources("google_dns_managed_zone")
	some spec in tf.value(r, ["dnssec_config", 0, "default_key_specs"], [])
	lower(object.get(spec, "algorithm", "")) == "rsasha1"
	result := {"msg": sprintf("zone %s signs its %s with RSASHA1: use RSASHA256 or stronger", [r.address, object.get(spec, "key_type", "keys")]), "resource": r.id}
}

warn contains result if {
	some r in tf.resources("google_dns_managed_zone")
	lower(tf.value(r, ["visibility"], "public")) == "public"
	tf.unknown(r, ["dnssec_config", 0, "state"])
	result := {"msg": sprintf("public zone %s: its DNSSEC state is known only after apply", [r.address]), "resource": r.id}
}
