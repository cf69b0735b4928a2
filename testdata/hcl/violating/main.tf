# A cluster with a public control plane endpoint and legacy ABAC: guard check
# must fail on both and point at this block.
variable "abac" {
  type    = bool
  default = true
}

resource "google_container_cluster" "public" {
  name     = "public"
  location = "europe-west1"

  enable_legacy_abac = var.abac
  datapath_provider  = "ADVANCED_DATAPATH"

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
  }

  master_authorized_networks_config {
    cidr_blocks {
      cidr_block   = "10.0.0.0/8"
      display_name = "internal"
    }
  }
}
