output "clusters" {
  description = "Cluster name per region role."
  value       = { for role, m in module.region : role => m.cluster_name }
}

output "cluster_endpoints" {
  value = { for role, m in module.region : role => m.cluster_endpoint }
}

output "network_id" {
  value = google_compute_network.vpc.id
}

output "node_service_account" {
  value = google_service_account.gke_nodes.email
}

output "artifact_registry_url" {
  value = "${google_artifact_registry_repository.images.location}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

output "security_policy" {
  value = google_compute_security_policy.edge.self_link
}

output "dns_zone_name_servers" {
  value = google_dns_managed_zone.public.name_servers
}
