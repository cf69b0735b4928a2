terraform {
  required_version = ">= 1.10.0"

  backend "gcs" {
    bucket = "terraform-states"
    prefix = "app"
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

# The base stack's outputs: how to reach each cluster's private endpoint.
data "terraform_remote_state" "base" {
  backend = "gcs"
  config = {
    bucket = "terraform-states"
    prefix = "base"
  }
}

# One helm provider per region, through the cluster's private endpoint.
provider "helm" {
  alias = "primary"
  kubernetes = {
    host                   = "https://${data.terraform_remote_state.base.outputs.clusters["primary"].endpoint}"
    token                  = data.google_client_config.current.access_token
    cluster_ca_certificate = base64decode(data.terraform_remote_state.base.outputs.clusters["primary"].ca_certificate)
  }
}

provider "helm" {
  alias = "secondary"
  kubernetes = {
    host                   = "https://${data.terraform_remote_state.base.outputs.clusters["secondary"].endpoint}"
    token                  = data.google_client_config.current.access_token
    cluster_ca_certificate = base64decode(data.terraform_remote_state.base.outputs.clusters["secondary"].ca_certificate)
  }
}
