locals {
  labels = {
    environment = var.environment
    managed_by  = "terraform"
  }

  # The node service account's only project roles: write logs and metrics,
  # read monitoring, write resource metadata. Image pulls are granted on the
  # Artifact Registry repository alone (below), never on the project.
  node_sa_roles = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
  ])

  # Google's load balancer and health-check ranges.
  health_check_ranges = ["35.191.0.0/16", "130.211.0.0/22"]
  # Identity-Aware Proxy's TCP forwarding range.
  iap_range = "35.235.240.0/20"

  artifact_registry_location = "europe"
  app_fqdn                   = "${var.app_hostname}.${var.dns_domain}"
}

# ---------------------------------------------------------------- network

resource "google_compute_network" "vpc" {
  project                 = var.project_id
  name                    = "${var.environment}-platform-vpc"
  auto_create_subnetworks = false
  routing_mode            = "GLOBAL"
}

resource "google_compute_subnetwork" "bastion" {
  project                  = var.project_id
  name                     = "${var.environment}-bastion"
  region                   = var.regions["primary"]
  network                  = google_compute_network.vpc.id
  ip_cidr_range            = var.bastion_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_5_SEC"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# ---------------------------------------------------------------- identities

resource "google_service_account" "gke_nodes" {
  project      = var.project_id
  account_id   = "${var.environment}-gke-nodes"
  display_name = "GKE nodes (${var.environment})"
  description  = "Least-privilege identity of every GKE node; workloads use Workload Identity instead."
}

resource "google_project_iam_member" "gke_nodes" {
  for_each = local.node_sa_roles

  project = var.project_id
  role    = each.value
  member  = google_service_account.gke_nodes.member
}

resource "google_service_account" "app" {
  project      = var.project_id
  account_id   = "${var.environment}-app"
  display_name = "App workload (${var.environment})"
  description  = "Google identity of the app's Kubernetes service account, through Workload Identity."
}

resource "google_service_account_iam_member" "app_workload_identity" {
  service_account_id = google_service_account.app.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.app_namespace}/app]"
}

resource "google_service_account" "bastion" {
  project      = var.project_id
  account_id   = "${var.environment}-bastion"
  display_name = "Bastion (${var.environment})"
  description  = "Identity of the bastion VM; it holds no project roles."
}

# ---------------------------------------------------------------- images

resource "google_artifact_registry_repository" "images" {
  project       = var.project_id
  location      = local.artifact_registry_location
  repository_id = "${var.environment}-images"
  description   = "The only registry the platform's workloads may pull from."
  format        = "DOCKER"
  labels        = local.labels

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

# ---------------------------------------------------------------- regions

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
  authorized_networks  = [{ cidr_block = var.bastion_cidr, display_name = "bastion" }]
  release_channel      = var.release_channel
  machine_type         = var.node_machine_type
  min_nodes            = var.node_pool_min
  max_nodes            = var.node_pool_max
  node_service_account = google_service_account.gke_nodes.email
  app_hostname         = trimsuffix(local.app_fqdn, ".")
  dns_zone             = google_dns_managed_zone.public.name
  labels               = local.labels
}

# ---------------------------------------------------------------- firewall

resource "google_compute_firewall" "allow_health_checks" {
  project     = var.project_id
  name        = "${var.environment}-allow-health-checks"
  network     = google_compute_network.vpc.self_link
  description = "Google health checks reach the nodes on the serving port only."
  direction   = "INGRESS"
  priority    = 1000

  source_ranges           = local.health_check_ranges
  target_service_accounts = [google_service_account.gke_nodes.email]

  allow {
    protocol = "tcp"
    ports    = [tostring(var.serving_port)]
  }

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}

resource "google_compute_firewall" "allow_proxy_only" {
  project     = var.project_id
  name        = "${var.environment}-allow-lb-proxies"
  network     = google_compute_network.vpc.self_link
  description = "The regional load balancers' proxies (proxy-only subnets) reach the pods on the serving port."
  direction   = "INGRESS"
  priority    = 1000

  source_ranges           = [for r in values(var.region_cidrs) : r.proxy_only]
  target_service_accounts = [google_service_account.gke_nodes.email]

  allow {
    protocol = "tcp"
    ports    = [tostring(var.serving_port)]
  }

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}

resource "google_compute_firewall" "allow_iap_ssh" {
  project     = var.project_id
  name        = "${var.environment}-allow-iap-ssh-bastion"
  network     = google_compute_network.vpc.self_link
  description = "SSH to the bastion through Identity-Aware Proxy only."
  direction   = "INGRESS"
  priority    = 1000

  source_ranges           = [local.iap_range]
  target_service_accounts = [google_service_account.bastion.email]

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}

# ---------------------------------------------------------------- bastion

resource "google_compute_instance" "bastion" {
  project      = var.project_id
  name         = "${var.environment}-bastion"
  zone         = "${var.regions["primary"]}-b"
  machine_type = "e2-small"
  labels       = local.labels

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
      size  = 20
    }
  }

  # No access_config: no external IP. Reached through IAP only.
  network_interface {
    subnetwork = google_compute_subnetwork.bastion.id
  }

  metadata = {
    enable-oslogin         = "TRUE"
    block-project-ssh-keys = "TRUE"
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }

  service_account {
    email  = google_service_account.bastion.email
    scopes = ["cloud-platform"]
  }
}

# ---------------------------------------------------------------- edge

resource "google_compute_health_check" "app" {
  project             = var.project_id
  name                = "${var.environment}-app-dns-failover"
  description         = "Cloud DNS probes each region's Gateway address; an unhealthy primary fails over."
  check_interval_sec  = 10
  timeout_sec         = 5
  healthy_threshold   = 2
  unhealthy_threshold = 3
  source_regions      = [var.regions["primary"], var.regions["secondary"], "europe-west3"]

  https_health_check {
    port         = 443
    host         = trimsuffix(local.app_fqdn, ".")
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
  description = "Public zone of the platform."
  visibility  = "public"
  labels      = local.labels

  dnssec_config {
    state = "on"
  }
}

# Active-passive: answers with the primary region's address while its health
# check passes, and with the secondary's otherwise.
resource "google_dns_record_set" "app" {
  project      = var.project_id
  managed_zone = google_dns_managed_zone.public.name
  name         = local.app_fqdn
  type         = "A"
  ttl          = var.dns_ttl

  routing_policy {
    health_check = google_compute_health_check.app.id

    primary_backup {
      trickle_ratio                  = 0
      enable_geo_fencing_for_backups = false

      primary {
        external_endpoints = [module.region["primary"].gateway_address]
      }

      backup_geo {
        location = var.regions["secondary"]
        health_checked_targets {
          external_endpoints = [module.region["secondary"].gateway_address]
        }
      }
    }
  }
}
