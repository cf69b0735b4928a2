output "project_id" {
  description = "Project of the platform."
  value       = var.project_id
}

output "clusters" {
  description = "Per role: cluster name, region, private endpoint and CA certificate (for the app stack's providers)."
  value = {
    for role, m in module.region : role => {
      name           = m.cluster_name
      region         = var.regions[role]
      endpoint       = m.cluster_endpoint
      ca_certificate = m.cluster_ca_certificate
    }
  }
  sensitive = true
}

output "gateway_addresses" {
  description = "Per role: name and address of the static IP the app's Gateway uses."
  value       = { for role, m in module.region : role => { name = m.gateway_address_name, address = m.gateway_address } }
}

output "security_policies" {
  description = "Per role: name of the regional Cloud Armor policy the app's GCPBackendPolicy attaches."
  value       = { for role, m in module.region : role => m.security_policy_name }
}

output "certificates" {
  description = "Per role: name of the Certificate Manager certificate the app's Gateway serves (the chart derives it from the address name)."
  value       = { for role, m in module.region : role => m.certificate_name }
}

output "proxy_only_ranges" {
  description = "Per role: the proxy-only subnet range, which the app's NetworkPolicy admits."
  value       = { for role, c in var.region_cidrs : role => c.proxy_only }
}

output "artifact_registry_repository" {
  description = "Docker repository URL: the only registry workloads may pull from."
  value       = local.image_registry
}

output "app_service_account" {
  description = "Google service account of the app (Workload Identity)."
  value       = google_service_account.app.email
}

output "app_fqdn" {
  description = "Public name of the app, served by the DNS failover record."
  value       = local.app_fqdn
}

output "dns_name_servers" {
  description = "Name servers to delegate the zone to."
  value       = google_dns_managed_zone.public.name_servers
}

output "node_service_account" {
  description = "Email of the node service account."
  value       = google_service_account.gke_nodes.email
}
