output "cluster_name" {
  value = google_container_cluster.this.name
}

output "cluster_id" {
  value = google_container_cluster.this.id
}

output "cluster_endpoint" {
  value = google_container_cluster.this.endpoint
}

output "cluster_ca_certificate" {
  value     = google_container_cluster.this.master_auth[0].cluster_ca_certificate
  sensitive = true
}

output "node_subnetwork" {
  value = google_compute_subnetwork.nodes.self_link
}

output "proxy_only_subnetwork" {
  value = google_compute_subnetwork.proxy_only.self_link
}
