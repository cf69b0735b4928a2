terraform {
  required_version = ">= 1.10.0"

  backend "gcs" {
    bucket = "terraform-states"
    prefix = "base"
  }

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "7.45.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "3.1.2"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.regions["primary"]
}

data "google_client_config" "current" {}

# One helm provider per cluster, through its private endpoint: Terraform runs
# from inside the VPC (the bastion, or a private CI pool in the bastion subnet),
# the only network the control planes accept.
provider "helm" {
  alias = "primary"
  kubernetes = {
    host                   = "https://${module.region["primary"].cluster_endpoint}"
    token                  = data.google_client_config.current.access_token
    cluster_ca_certificate = base64decode(module.region["primary"].cluster_ca_certificate)
  }
}

provider "helm" {
  alias = "secondary"
  kubernetes = {
    host                   = "https://${module.region["secondary"].cluster_endpoint}"
    token                  = data.google_client_config.current.access_token
    cluster_ca_certificate = base64decode(module.region["secondary"].cluster_ca_certificate)
  }
}
