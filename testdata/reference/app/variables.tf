variable "project_id" {
  type    = string
  default = "acme-platform-prod"
}

variable "clusters" {
  type = map(object({
    name           = string
    endpoint       = string
    ca_certificate = string
    region         = string
  }))
  description = "Per-role GKE cluster connection details (outputs of the base stack)."
}

variable "namespace" {
  type    = string
  default = "platform-app"
}

variable "image_repository" {
  type    = string
  default = "europe-docker.pkg.dev/acme-platform-prod/prod-images/app"
}

variable "image_tag" {
  type    = string
  default = "1.4.2"
}

variable "workload_service_account" {
  type    = string
  default = "app-workload@acme-platform-prod.iam.gserviceaccount.com"
}
