package guard.terraform.edge_dnssec_test

import data.guard.lib.testing as t
import data.guard.terraform.edge_dnssec as policy

zone(values) := t.terraform([t.resource("google_dns_managed_zone", "z", values)])

test_signed_zone_passes if count(policy.deny) == 0 with input as zone({"visibility": "public", "dnssec_config": [{"state": "on"}]})

test_unsigned_zone_fails if count(policy.deny) == 1 with input as zone({"visibility": "public", "dnssec_config": []})

test_private_zone_passes if count(policy.deny) == 0 with input as zone({"visibility": "private"})

test_dnssec_unknown_as_a_whole_warns if {
	r := t.with_unknown(t.resource("google_dns_managed_zone", "z", {"visibility": "public"}), {"dnssec_config": true})
	count(policy.deny) == 0 with input as t.terraform([r])
	count(policy.warn) == 1 with input as t.terraform([r])
}

test_dnssec_state_unknown_warns if {
	r := t.with_unknown(t.resource("google_dns_managed_zone", "z", {"visibility": "public", "dnssec_config": [{}]}), {"dnssec_config": [{"state": true}]})
	count(policy.deny) == 0 with input as t.terraform([r])
	count(policy.warn) == 1 with input as t.terraform([r])
}

# The provider computes the key specs: a known state decides.
test_computed_key_specs_with_state_on_pass if {
	r := t.with_unknown(t.resource("google_dns_managed_zone", "z", {"visibility": "public", "dnssec_config": [{"state": "on"}]}), {"dnssec_config": [{"default_key_specs": true}]})
	count(policy.deny) + count(policy.warn) == 0 with input as t.terraform([r])
}

zone_with_keys(algorithm) := t.terraform([t.resource("google_dns_managed_zone", "z", {"visibility": "public", "dnssec_config": [{"state": "on", "default_key_specs": [
	{"key_type": "keySigning", "algorithm": algorithm, "key_length": 2048},
	{"key_type": "zoneSigning", "algorithm": "rsasha256", "key_length": 1024},
]}]})])

test_rsasha1_key_fails if {
	count(policy.deny) == 1 with input as zone_with_keys("rsasha1")
}

test_rsasha256_keys_pass if {
	count(policy.deny) == 0 with input as zone_with_keys("rsasha256")
}
