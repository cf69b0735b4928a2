output "cluster_name" {
  description = "Name of the cluster."
  value       = google_container_cluster.this.name
}

output "cluster_endpoint" {
  description = "Private endpoint of the control plane."
  value       = google_container_cluster.this.private_cluster_config[0].private_endpoint
}

output "cluster_ca_certificate" {
  description = "CA certificate of the control plane."
  value       = google_container_cluster.this.master_auth[0].cluster_ca_certificate
  sensitive   = true
}

output "gateway_address" {
  description = "External address of the app's Gateway."
  value       = google_compute_address.gateway.address
}

output "gateway_address_name" {
  description = "Name of that address, as the Gateway refers to it."
  value       = google_compute_address.gateway.name
}

output "security_policy_name" {
  description = "Name of the regional Cloud Armor policy."
  value       = google_compute_region_security_policy.waf.name
}

output "proxy_only_range" {
  description = "Range of the proxy-only subnet."
  value       = google_compute_subnetwork.proxy_only.ip_cidr_range
}

output "certificate_name" {
  description = "Name of the regional Certificate Manager certificate the app's Gateway serves."
  value       = google_certificate_manager_certificate.app.name
}
