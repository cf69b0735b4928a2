package guard.terraform.edge_dnssec_test

import data.guard.lib.testing as t
import data.guard.terraform.edge_dnssec as policy

zone(values) := t.terraform([t.resource("google_dns_managed_zone", "z", values)])

test_signed_zone_passes if count(policy.deny) == 0 with input as zone({"visibility": "public", "dnssec_config": [{"state": "on"}]})

test_unsigned_zone_fails if count(policy.deny) == 1 with input as zone({"visibility": "public", "dnssec_config": []})

test_private_zone_passes if count(policy.deny) == 0 with input as zone({"visibility": "private"})
