terraform {
  required_version = ">= 1.10"
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
  region  = var.clusters["primary"].region
}

data "google_client_config" "current" {}

provider "helm" {
  alias = "primary"
  kubernetes = {
    host                   = "https://${var.clusters["primary"].endpoint}"
    token                  = data.google_client_config.current.access_token
    cluster_ca_certificate = base64decode(var.clusters["primary"].ca_certificate)
  }
}

provider "helm" {
  alias = "secondary"
  kubernetes = {
    host                   = "https://${var.clusters["secondary"].endpoint}"
    token                  = data.google_client_config.current.access_token
    cluster_ca_certificate = base64decode(var.clusters["secondary"].ca_certificate)
  }
}
