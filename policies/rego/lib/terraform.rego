# METADATA
# title: Terraform helpers
# description: |
#   Helpers every Terraform rule uses, so that all rules read resources and
#   treat values known only after apply the same way.
package guard.lib.terraform

# resources(type) is every managed resource of that type that the plan or
# stack keeps (a resource being deleted is not checked). It is an array, not a
# set: a set hashes every (large) resource it holds, which dominates at
# thousands of resources. It reads the input's by_type index (positions of
# each type's resources) rather than scanning them all in every query; an
# input built by hand without the index is scanned.
resources(type) := [r |
	some i in input.terraform.by_type[type]
	r := input.terraform.resources[i]
	r.mode == "managed"
	r.action != "delete"
] if {
	input.terraform.by_type
} else := [r |
	some r in input.terraform.resources
	r.type == type
	r.mode == "managed"
	r.action != "delete"
]

# by_type(resources) is the index guard puts in the input as by_type.
by_type(resources) := {t: [i | some i, r in resources; r.type == t] | some r in resources; t := r.type}

# unknown(r, path) holds when the value at path (an array of keys and
# indexes into r.values) is known only after apply: the path itself or any
# block above it is marked unknown.
unknown(r, path) if {
	r.unknown[path[0]] # fast reject: nothing under the first key is unknown
	some i in numbers.range(1, count(path))
	object.get(r.unknown, array.slice(path, 0, i), false) == true
}

# unknown_within(r, path) holds when anything at path is known only after
# apply: the value as a whole, a block above it, or any element or attribute
# inside it. A rule that counts, lists or searches a collection must check
# this, not unknown: a plan may mark the collection unknown as a whole
# (`"external_endpoints": true`) where HCL gives a list whose element is
# unknown (`[true]`), and both hide what apply will set.
unknown_within(r, path) if unknown(r, path)

unknown_within(r, path) if {
	r.unknown[path[0]]
	inner := object.get(r.unknown, path, false)
	is_object_or_array(inner)
	walk(inner, [_, true])
}

is_object_or_array(x) if is_object(x)

is_object_or_array(x) if is_array(x)

# value(r, path, fallback) is the known value at path, or fallback when it is
# unset or null.
value(r, path, fallback) := v if {
	v := object.get(r.values, path, null)
	v != null
} else := fallback

# firewall_sources(r) are the source ranges an ingress firewall rule admits:
# its source_ranges or, when it names no source at all (no ranges, tags or
# service accounts, none unknown), 0.0.0.0/0 as GCP applies then.
firewall_sources(r) := ranges if {
	ranges := value(r, ["source_ranges"], [])
	count(ranges) > 0
} else := ["0.0.0.0/0"] if {
	every field in ["source_ranges", "source_tags", "source_service_accounts"] {
		count(value(r, [field], [])) == 0
		not unknown_within(r, [field])
	}
} else := []

# private_ranges are the addresses no internet host has (RFC 1918, and
# RFC 6598's shared range GKE may use for pods).
private_ranges := ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]

# private_source(s): a firewall source range inside the private ranges.
private_source(s) if {
	is_string(s)
	net.cidr_is_valid(s)
	some p in private_ranges
	net.cidr_contains(p, s)
}

# trusted_private_source(s): a private source, and the trustPrivateSources
# parameter leaves such sources to the VPC's own segmentation.
trusted_private_source(s) if {
	object.get(data.guard.parameters, "trustPrivateSources", true) == true
	private_source(s)
}

# internal_rule(r): every source of a firewall rule is a trusted private
# range, or it admits by network tags or service accounts only (sources
# inside the VPC by definition).
internal_rule(r) if {
	object.get(data.guard.parameters, "trustPrivateSources", true) == true
	every s in firewall_sources(r) {
		private_source(s)
	}
}

# region(r) names the region a resource belongs to: the key of its module
# instance ("primary"), else its location or region attribute.
region(r) := key if {
	startswith(r.module, "module.")
	parts := regex.find_all_string_submatch_n(`\["([^"]+)"\]`, r.module, -1)
	count(parts) > 0
	key := parts[count(parts) - 1][1]
} else := value(r, ["location"], value(r, ["region"], "unknown region"))

# computed_default(r, path): a plan marks the value unknown though the
# configuration writes no expression for it (none that refers to anything):
# the provider fills in the API's default at apply. (A plan knows every
# constant and variable; HCL leaves an unset attribute out instead.)
computed_default(r, path) if {
	r.action != "config"
	unknown(r, path)
	count(object.get(object.get(r, "references", {}), path, [])) == 0
}

# refers_to(r, path, type) holds when the value at path is unknown but is known
# to come from an attribute of a resource of that type in the same stack (HCL
# stacks record this in r.references; plans know such values instead).
refers_to(r, path, type) if {
	some ref in object.get(object.get(r, "references", {}), path, [])
	resource_ref_type(ref) == type
}

# resource_ref_type("module.a[\"x\"].google_service_account.sa.email") is
# "google_service_account".
resource_ref_type(ref) := split(regex.replace(ref, `^(module\.[^.\[]+(\[[^\]]*\])?\.)*`, ""), ".")[0]

# refs_at(r, path) is the list of resource attributes the unknown value at
# path comes from (see refers_to).
refs_at(r, path) := object.get(object.get(r, "references", {}), path, [])

# resource_of_ref("module.m[\"k\"].google_service_account.sa.email") is the
# resource address "module.m[\"k\"].google_service_account.sa".
resource_of_ref(ref) := regex.replace(ref, `\.[^.\[\]"]+$`, "")

# service_account_ids(r, path) identifies the service account at path (an
# email, or a "serviceAccount:" member): its email when known, the
# google_service_account resource it comes from when unknown, each completed
# with the other through the service accounts in the input. Two values name
# the same account when their ids intersect.
service_account_ids(r, path) := expand_service_account_ids(raw_service_account_ids(r, path))

raw_service_account_ids(r, path) := {trim_prefix(v, "serviceAccount:") |
	v := object.get(r.values, path, null)
	is_string(v)
} | {resource_of_ref(ref) | some ref in refs_at(r, path)}

expand_service_account_ids(ids) := (ids | {sa.values.email |
	some sa in resources("google_service_account")
	sa.address in ids
	is_string(sa.values.email)
}) | {sa.address |
	some sa in resources("google_service_account")
	object.get(sa.values, "email", null) in ids
}

# node_configs are every node configuration Terraform can declare, each as
# {"resource": r, "path": the node_config's path in r.values, "what": a
# name for messages}: a google_container_node_pool's node_config, a cluster's
# inline node_pool blocks, and the cluster's own node_config (its default
# node pool's) unless remove_default_node_pool drops that pool: GKE deletes
# it once the cluster exists, whatever its node_config says. (Arrays, not
# sets: a set would hash each resource.)
node_configs := array.concat(array.concat(pool_node_configs, inline_node_configs), default_node_configs)

pool_node_configs := [nc |
	some r in resources("google_container_node_pool")
	nc := {"resource": r, "path": ["node_config", 0], "what": sprintf("node pool %s (%s)", [r.address, region(r)])}
]

inline_node_configs := [nc |
	some r in resources("google_container_cluster")
	some i, _ in value(r, ["node_pool"], [])
	nc := {"resource": r, "path": ["node_pool", i, "node_config", 0], "what": sprintf("cluster %s (%s) node_pool[%d]", [r.address, region(r), i])}
]

default_node_configs := [nc |
	some r in resources("google_container_cluster")
	keeps_default_pool_config(r)
	nc := {"resource": r, "path": ["node_config", 0], "what": sprintf("cluster %s (%s) default node pool", [r.address, region(r)])}
]

# A cluster with inline node_pool blocks has no default pool of node_config:
# the first inline pool is created in its place (and checked as one).
keeps_default_pool_config(r) if {
	value(r, ["remove_default_node_pool"], false) != true
	count(value(r, ["node_pool"], [])) == 0
}

# ip_endpoint_disabled(cluster): the control plane has no IP endpoint at all
# (control_plane_endpoints_config's ip_endpoints_config enabled = false),
# only its DNS endpoint, which IAM guards: nothing for a network to reach.
ip_endpoint_disabled(r) if value(r, ["control_plane_endpoints_config", 0, "ip_endpoints_config", 0, "enabled"], true) == false

# node_config_cluster(nc) are the clusters a node configuration's nodes
# belong to: the cluster itself for its own and inline pools; for a
# google_container_node_pool, the cluster its cluster argument names (by
# name when known, else by the reference the unknown name comes from).
node_config_cluster(nc) := [nc.resource] if nc.resource.type == "google_container_cluster"

node_config_cluster(nc) := [c |
	some c in resources("google_container_cluster")
	pool_of(nc.resource, c)
] if nc.resource.type == "google_container_node_pool"

pool_of(pool, c) if {
	name := value(pool, ["cluster"], null)
	is_string(name)
	name == value(c, ["name"], null)
}

pool_of(pool, c) if c.address in {resource_of_ref(ref) | some ref in refs_at(pool, ["cluster"])}

# node_setting(nc, setting) is the path of a setting (an array of keys below
# node_config) in a node configuration from node_configs.
node_setting(nc, setting) := array.concat(nc.path, setting)

# node_service_account_ids identifies every service account GKE nodes run as.
node_service_account_ids contains id if {
	some pool in resources("google_container_node_pool")
	some id in service_account_ids(pool, ["node_config", 0, "service_account"])
}

# enforces_network_policy(cluster): Dataplane V2, or the network_policy add-on.
enforces_network_policy(r) if value(r, ["datapath_provider"], "") == "ADVANCED_DATAPATH"

enforces_network_policy(r) if value(r, ["network_policy", 0, "enabled"], false) == true

# network_policy_unknown(cluster): not known to enforce NetworkPolicies, and
# what would decide it is known only after apply.
network_policy_unknown(r) if {
	not enforces_network_policy(r)
	unknown(r, ["datapath_provider"])
}

network_policy_unknown(r) if {
	not enforces_network_policy(r)
	unknown(r, ["network_policy", 0, "enabled"])
}

# role_cluster(role) are the clusters of a region role ("primary"), by the
# module instance key the platform's region module is instantiated with.
role_cluster(role) := [c |
	some c in resources("google_container_cluster")
	region(c) == role
]
