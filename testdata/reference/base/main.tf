locals {
  node_sa_roles = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
  ])
}

resource "google_compute_network" "vpc" {
  project                         = var.project_id
  name                            = var.network_name
  auto_create_subnetworks         = false
  routing_mode                    = "GLOBAL"
  delete_default_routes_on_create = false
}

resource "google_service_account" "gke_nodes" {
  project      = var.project_id
  account_id   = "${var.environment}-gke-nodes"
  display_name = "GKE node service account (${var.environment})"
}

resource "google_project_iam_member" "gke_nodes" {
  for_each = local.node_sa_roles

  project = var.project_id
  role    = each.value
  member  = google_service_account.gke_nodes.member
}

resource "google_artifact_registry_repository" "images" {
  project       = var.project_id
  location      = "europe"
  repository_id = "${var.environment}-images"
  description   = "Container images for the platform workloads"
  format        = "DOCKER"
  labels        = { environment = var.environment }

  docker_config {
    immutable_tags = true
  }
}

resource "google_artifact_registry_repository_iam_member" "gke_nodes_reader" {
  project    = google_artifact_registry_repository.images.project
  location   = google_artifact_registry_repository.images.location
  repository = google_artifact_registry_repository.images.name
  role       = "roles/artifactregistry.reader"
  member     = google_service_account.gke_nodes.member
}

module "region" {
  source   = "./modules/region"
  for_each = var.regions

  project_id           = var.project_id
  environment          = var.environment
  role                 = each.key
  region               = each.value
  cidrs                = var.region_cidrs[each.key]
  network_id           = google_compute_network.vpc.id
  network_self_link    = google_compute_network.vpc.self_link
  authorized_networks  = var.authorized_networks
  release_channel      = var.release_channel
  machine_type         = var.node_machine_type
  min_nodes            = var.node_pool_min
  max_nodes            = var.node_pool_max
  node_service_account = google_service_account.gke_nodes.email
}

resource "google_compute_firewall" "allow_health_checks" {
  project     = var.project_id
  name        = "${var.environment}-allow-gcp-health-checks"
  network     = google_compute_network.vpc.self_link
  description = "Allow Google Cloud load balancer health checks to reach GKE nodes"
  direction   = "INGRESS"
  priority    = 1000

  source_ranges           = ["35.191.0.0/16", "130.211.0.0/22"]
  target_service_accounts = [google_service_account.gke_nodes.email]

  allow {
    protocol = "tcp"
    ports    = ["80", "443", "8080", "10256"]
  }

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}

resource "google_compute_security_policy" "edge" {
  project     = var.project_id
  name        = "${var.environment}-edge-waf"
  description = "Cloud Armor policy for public ingress"
  type        = "CLOUD_ARMOR"

  advanced_options_config {
    log_level = "VERBOSE"
  }

  rule {
    action      = "deny(403)"
    priority    = 1000
    description = "OWASP SQL injection"
    match {
      expr {
        expression = "evaluatePreconfiguredWaf('sqli-v33-stable', {'sensitivity': 1})"
      }
    }
  }

  rule {
    action      = "deny(403)"
    priority    = 1001
    description = "OWASP cross-site scripting"
    match {
      expr {
        expression = "evaluatePreconfiguredWaf('xss-v33-stable', {'sensitivity': 1})"
      }
    }
  }

  rule {
    action      = "allow"
    priority    = 2147483647
    description = "Default rule"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }
}

resource "google_compute_health_check" "ingress" {
  project             = var.project_id
  name                = "${var.environment}-ingress-hc"
  check_interval_sec  = 30
  timeout_sec         = 5
  healthy_threshold   = 2
  unhealthy_threshold = 3
  source_regions      = ["europe-west1", "europe-west4", "europe-west3"]

  http_health_check {
    port         = 80
    request_path = "/healthz"
  }

  log_config {
    enable = true
  }
}

resource "google_dns_managed_zone" "public" {
  project     = var.project_id
  name        = "${var.environment}-platform"
  dns_name    = var.dns_domain
  description = "Public zone for platform ingress"
  visibility  = "public"
  labels      = { environment = var.environment }

  dnssec_config {
    state = "on"
  }
}

resource "google_dns_record_set" "ingress_failover" {
  project      = var.project_id
  managed_zone = google_dns_managed_zone.public.name
  name         = "app.${google_dns_managed_zone.public.dns_name}"
  type         = "A"
  ttl          = 30

  routing_policy {
    health_check = google_compute_health_check.ingress.id

    primary_backup {
      trickle_ratio                  = 0
      enable_geo_fencing_for_backups = false

      primary {
        external_endpoints = [var.ingress_ips["primary"]]
      }

      backup_geo {
        location = var.regions["secondary"]
        health_checked_targets {
          external_endpoints = [var.ingress_ips["secondary"]]
        }
      }
    }
  }
}
