package guard.stack.trusted_images_test

import data.guard.lib.testing as t
import data.guard.stack.trusted_images as policy

repo := t.resource("google_artifact_registry_repository", "google_artifact_registry_repository.images", {
	"format": "DOCKER", "location": "europe", "project": "p", "repository_id": "prod-images",
})

pool := t.resource("google_container_node_pool", "pool", {"node_config": [{"service_account": "nodes@p.iam.gserviceaccount.com"}]})

reader := object.union(
	t.resource("google_artifact_registry_repository_iam_member", "reader", {
		"role": "roles/artifactregistry.reader", "member": "serviceAccount:nodes@p.iam.gserviceaccount.com",
	}),
	{"unknown": {"repository": true}, "references": {"repository": ["google_artifact_registry_repository.images.name"]}},
)

deployment(image) := t.k8s_object({"kind": "Deployment", "metadata": {"name": "app", "namespace": "app"}, "spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}}, "primary")

test_platform_image_passes if {
	count(policy.deny) == 0 with input as t.stack([repo, pool, reader], [deployment("europe-docker.pkg.dev/p/prod-images/app:1.0")])
}

test_docker_hub_image_fails if {
	count(policy.deny) == 1 with input as t.stack([repo, pool, reader], [deployment("nginx:1.27")])
}

test_repository_nodes_cannot_read_fails if {
	other := object.union(reader, {"values": {"role": "roles/artifactregistry.reader", "member": "serviceAccount:ci@p.iam.gserviceaccount.com"}})
	count(policy.deny) == 1 with input as t.stack([repo, pool, other], [deployment("europe-docker.pkg.dev/p/prod-images/app:1.0")])
}

test_manifests_alone_not_checked if {
	count(policy.deny) == 0 with input as t.stack([], [deployment("nginx:1.27")])
}

test_app_stack_alone_warns if {
	release := t.resource("helm_release", "helm_release.app", {})
	count(policy.deny) == 0 with input as t.stack([release], [deployment("nginx:1.27")])
	count(policy.warn) == 1 with input as t.stack([release], [deployment("nginx:1.27")])
}

test_repository_prefix_unknown_warns if {
	unresolved := t.with_unknown(object.union(repo, {"values": object.remove(repo.values, ["project"])}), {"project": true})
	count(policy.deny) == 0 with input as t.stack([unresolved, pool, reader], [deployment("nginx:1.27")])
	count(policy.warn) == 1 with input as t.stack([unresolved, pool, reader], [deployment("nginx:1.27")])
}

# An Argo Rollout runs its template's pods as a Deployment does.
rollout(image) := t.k8s_object({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "app", "namespace": "app"}, "spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}}, "primary")

test_rollout_docker_hub_image_fails if {
	count(policy.deny) == 1 with input as t.stack([repo, pool, reader], [rollout("nginx:1.27")])
}

test_rollout_platform_image_passes if {
	count(policy.deny) == 0 with input as t.stack([repo, pool, reader], [rollout("europe-docker.pkg.dev/p/prod-images/app:1.0")])
}
