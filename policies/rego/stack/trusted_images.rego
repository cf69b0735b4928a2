# METADATA
# title: Workload images come from the platform's Artifact Registry repository
# description: |
#   Every container image a chart or manifest deploys must come from an
#   Artifact Registry repository that the Terraform in the same check creates
#   and that the node service account is granted read on: the one trusted
#   registry, and the only one the nodes can pull from. Decided when the input
#   holds the platform (clusters or repositories); otherwise each workload gets
#   a warning that it could not be verified.
# custom:
#   id: STK-002
#   severity: HIGH
#   profile: two-region-gke
#   controls: ["CIS GKE Benchmark v1.6.0 5.1.4"]
#   remediation: Push the image to the platform repository (<location>-docker.pkg.dev/<project>/<repository>/...) and reference it there.
package guard.stack.trusted_images

import data.guard.lib.kubernetes as k8s
import data.guard.lib.terraform as tf

reader_roles := {"roles/artifactregistry.reader", "roles/artifactregistry.writer", "roles/artifactregistry.repoAdmin"}

# grant_covers(g, repo): the repository IAM grant g is on repository repo.
grant_covers(g, repo) if tf.value(g, ["repository"], null) in {repo.values.name, repo.values.repository_id}

grant_covers(g, repo) if {
	some ref in tf.refs_at(g, ["repository"])
	tf.resource_of_ref(ref) == repo.address
	g.stack == repo.stack
}

readable_by_nodes(repo) if {
	some g in tf.resources("google_artifact_registry_repository_iam_member")
	grant_covers(g, repo)
	tf.value(g, ["role"], "") in reader_roles
	count(tf.service_account_ids(g, ["member"]) & tf.node_service_account_ids) > 0
}

# trusted_prefixes are the image prefixes of repositories the nodes may read.
trusted_prefixes contains prefix if {
	some repo in tf.resources("google_artifact_registry_repository")
	upper(tf.value(repo, ["format"], "")) == "DOCKER"
	readable_by_nodes(repo)
	prefix := sprintf("%s-docker.pkg.dev/%s/%s/", [repo.values.location, repo.values.project, repo.values.repository_id])
}

platform_in_input if count(tf.resources("google_container_cluster")) > 0

platform_in_input if count(tf.resources("google_artifact_registry_repository")) > 0

# unresolved are the Docker repositories the nodes may read whose image
# prefix (location, project, repository_id) is known only after apply.
unresolved := [repo.address |
	some repo in tf.resources("google_artifact_registry_repository")
	upper(tf.value(repo, ["format"], "")) == "DOCKER"
	readable_by_nodes(repo)
	some attr in ["location", "project", "repository_id"]
	tf.unknown(repo, [attr])
]

deny contains result if {
	platform_in_input
	count(unresolved) == 0
	some o in k8s.workloads
	some c in k8s.containers(o)
	not trusted(c.image)
	result := {
		"msg": sprintf("%s %s: container %s runs %s, which is not in a platform Artifact Registry repository the nodes may read (%v)", [o.object.kind, o.object.metadata.name, c.name, c.image, sort(trusted_prefixes)]),
		"resource": o.id,
	}
}

trusted(image) if {
	some prefix in trusted_prefixes
	startswith(image, prefix)
}

warn contains result if {
	count(unresolved) > 0
	some o in k8s.workloads
	some c in k8s.containers(o)
	not trusted(c.image)
	result := {
		"msg": sprintf("%s %s: container %s runs %s; the image prefix of %v is known only after apply, so it cannot be verified", [o.object.kind, o.object.metadata.name, c.name, c.image, sort(unresolved)]),
		"resource": o.id,
	}
}

warn contains result if {
	count(input.terraform.resources) > 0
	not platform_in_input
	some o in k8s.workloads
	result := {
		"msg": sprintf("%s %s: the platform's Artifact Registry repository is not in this check, so its images cannot be verified; check together with the base stack", [o.object.kind, o.object.metadata.name]),
		"resource": o.id,
	}
}
