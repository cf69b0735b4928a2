locals {
  name   = "${var.environment}-${var.role}"
  labels = merge(var.labels, { role = var.role })
}

# ---------------------------------------------------------------- network

resource "google_compute_subnetwork" "nodes" {
  project                  = var.project_id
  name                     = "${local.name}-nodes"
  region                   = var.region
  network                  = var.network_id
  ip_cidr_range            = var.cidrs.nodes
  private_ip_google_access = true

  secondary_ip_range {
    range_name    = "${local.name}-pods"
    ip_cidr_range = var.cidrs.pods
  }

  secondary_ip_range {
    range_name    = "${local.name}-services"
    ip_cidr_range = var.cidrs.services
  }

  log_config {
    aggregation_interval = "INTERVAL_5_SEC"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# The regional external Application Load Balancer's Envoy proxies run in this
# subnet; the Gateway cannot be provisioned without it.
resource "google_compute_subnetwork" "proxy_only" {
  project       = var.project_id
  name          = "${local.name}-proxy-only"
  region        = var.region
  network       = var.network_id
  ip_cidr_range = var.cidrs.proxy_only
  purpose       = "REGIONAL_MANAGED_PROXY"
  role          = "ACTIVE"
}

resource "google_compute_router" "nat" {
  project = var.project_id
  name    = "${local.name}-router"
  region  = var.region
  network = var.network_id
}

# Private nodes have no external address: Cloud NAT is their only way out.
resource "google_compute_router_nat" "nat" {
  project                            = var.project_id
  name                               = "${local.name}-nat"
  router                             = google_compute_router.nat.name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "LIST_OF_SUBNETWORKS"

  subnetwork {
    name                    = google_compute_subnetwork.nodes.id
    source_ip_ranges_to_nat = ["ALL_IP_RANGES"]
  }

  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

# ---------------------------------------------------------------- cluster

resource "google_container_cluster" "this" {
  project  = var.project_id
  name     = "${local.name}-gke"
  location = var.region

  network         = var.network_self_link
  subnetwork      = google_compute_subnetwork.nodes.self_link
  networking_mode = "VPC_NATIVE"

  remove_default_node_pool = true
  initial_node_count       = 1
  deletion_protection      = true

  enable_legacy_abac    = false
  enable_shielded_nodes = true
  datapath_provider     = "ADVANCED_DATAPATH"
  resource_labels       = local.labels

  ip_allocation_policy {
    cluster_secondary_range_name  = google_compute_subnetwork.nodes.secondary_ip_range[0].range_name
    services_secondary_range_name = google_compute_subnetwork.nodes.secondary_ip_range[1].range_name
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = true
    master_ipv4_cidr_block  = var.cidrs.master_cidr

    # The bastion lives in the primary region; global access lets it reach
    # the secondary control plane too.
    master_global_access_config {
      enabled = true
    }
  }

  master_authorized_networks_config {
    gcp_public_cidrs_access_enabled = false

    dynamic "cidr_blocks" {
      for_each = var.authorized_networks
      content {
        cidr_block   = cidr_blocks.value.cidr_block
        display_name = cidr_blocks.value.display_name
      }
    }
  }

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  release_channel {
    channel = var.release_channel
  }

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }

  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  gateway_api_config {
    channel = "CHANNEL_STANDARD"
  }

  secret_manager_config {
    enabled = true
  }

  database_encryption {
    state    = "ENCRYPTED"
    key_name = google_kms_crypto_key.secrets.id
  }

  addons_config {
    http_load_balancing {
      disabled = false
    }
    horizontal_pod_autoscaling {
      disabled = false
    }
  }

  logging_config {
    enable_components = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"]
  }

  monitoring_config {
    enable_components = ["SYSTEM_COMPONENTS", "APISERVER", "SCHEDULER", "CONTROLLER_MANAGER"]
    managed_prometheus {
      enabled = true
    }
  }

  maintenance_policy {
    recurring_window {
      start_time = "2025-01-04T01:00:00Z"
      end_time   = "2025-01-04T05:00:00Z"
      recurrence = "FREQ=WEEKLY;BYDAY=SA,SU"
    }
  }

  # GKE checks at creation that its service agent can use the key.
  depends_on = [google_kms_crypto_key_iam_member.gke_secrets]
}

resource "google_container_node_pool" "default" {
  project            = var.project_id
  name               = "${local.name}-pool"
  location           = var.region
  cluster            = google_container_cluster.this.name
  initial_node_count = var.min_nodes

  autoscaling {
    min_node_count = var.min_nodes
    max_node_count = var.max_nodes
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  upgrade_settings {
    max_surge       = 1
    max_unavailable = 0
  }

  node_config {
    machine_type    = var.machine_type
    image_type      = "COS_CONTAINERD"
    disk_size_gb    = 100
    disk_type       = "pd-balanced"
    service_account = var.node_service_account
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    labels          = local.labels
    tags            = ["gke-node", "${local.name}-gke"]
    metadata = {
      disable-legacy-endpoints = "true"
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}

# ---------------------------------------------------------------- secrets encryption

# Application-layer Secrets encryption (CIS GKE 5.3.1, GKE-020): the
# cluster's Secrets are encrypted in etcd with a Cloud KMS key of its own
# region, rotated every 90 days, which only GKE's service agent may use.
data "google_project" "this" {
  project_id = var.project_id
}

resource "google_kms_key_ring" "gke" {
  project  = var.project_id
  name     = "${local.name}-gke"
  location = var.region
}

resource "google_kms_crypto_key" "secrets" {
  name            = "gke-secrets"
  key_ring        = google_kms_key_ring.gke.id
  rotation_period = "7776000s"
  labels          = local.labels

  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key_iam_member" "gke_secrets" {
  crypto_key_id = google_kms_crypto_key.secrets.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "serviceAccount:service-${data.google_project.this.number}@container-engine-robot.iam.gserviceaccount.com"
}

# ---------------------------------------------------------------- edge

# The app's Gateway (regional external Application Load Balancer) listens on
# this address; the DNS failover record points at it.
resource "google_compute_address" "gateway" {
  project      = var.project_id
  name         = "${local.name}-app-gateway"
  region       = var.region
  address_type = "EXTERNAL"
  labels       = local.labels
}

# The HTTPS listener's certificate: Google-managed, regional (the regional
# load balancer takes regional certificates), proven by a DNS record in the
# platform's zone. The Gateway names it (networking.gke.io/cert-manager-certs)
# by the chart's convention, the address name with -cert for -gateway; no
# private key is ever in a Kubernetes Secret or in Terraform state.
resource "google_certificate_manager_dns_authorization" "app" {
  project  = var.project_id
  name     = "${local.name}-app"
  location = var.region
  domain   = var.app_hostname
  labels   = local.labels
}

resource "google_dns_record_set" "app_certificate" {
  project      = var.project_id
  managed_zone = var.dns_zone
  name         = google_certificate_manager_dns_authorization.app.dns_resource_record[0].name
  type         = google_certificate_manager_dns_authorization.app.dns_resource_record[0].type
  ttl          = 300
  rrdatas      = [google_certificate_manager_dns_authorization.app.dns_resource_record[0].data]
}

resource "google_certificate_manager_certificate" "app" {
  project  = var.project_id
  name     = "${local.name}-app-cert"
  location = var.region
  labels   = local.labels

  managed {
    domains            = [var.app_hostname]
    dns_authorizations = [google_certificate_manager_dns_authorization.app.id]
  }
}

# Regional Cloud Armor: a regional load balancer takes regional policies.
resource "google_compute_region_security_policy" "waf" {
  project     = var.project_id
  name        = "${local.name}-app-waf"
  region      = var.region
  description = "WAF for the app's Gateway in ${var.region}"
  type        = "CLOUD_ARMOR"

  rules {
    action      = "deny(403)"
    priority    = 1000
    description = "OWASP SQL injection"
    match {
      expr {
        expression = "evaluatePreconfiguredWaf('sqli-v33-stable', {'sensitivity': 1})"
      }
    }
  }

  rules {
    action      = "deny(403)"
    priority    = 1001
    description = "OWASP cross-site scripting"
    match {
      expr {
        expression = "evaluatePreconfiguredWaf('xss-v33-stable', {'sensitivity': 1})"
      }
    }
  }

  rules {
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
