variable "project_id" {
  type        = string
  description = "GCP project."
}

variable "environment" {
  type        = string
  description = "Environment name prefix."
}

variable "role" {
  type        = string
  description = "Role of this region in the active-passive pair: primary or secondary."

  validation {
    condition     = contains(["primary", "secondary"], var.role)
    error_message = "role must be primary or secondary."
  }
}

variable "region" {
  type        = string
  description = "GCP region."
}

variable "cidrs" {
  type = object({
    nodes       = string
    pods        = string
    services    = string
    proxy_only  = string
    master_cidr = string
  })
  description = "Address plan of this region (see the root variable region_cidrs)."
}

variable "network_id" {
  type        = string
  description = "ID of the VPC."
}

variable "network_self_link" {
  type        = string
  description = "Self link of the VPC."
}

variable "authorized_networks" {
  type = list(object({
    cidr_block   = string
    display_name = string
  }))
  description = "Networks allowed to reach the private control-plane endpoint."
}

variable "release_channel" {
  type        = string
  description = "GKE release channel."
}

variable "machine_type" {
  type        = string
  description = "Node machine type."
}

variable "min_nodes" {
  type        = number
  description = "Minimum nodes per zone."
}

variable "max_nodes" {
  type        = number
  description = "Maximum nodes per zone."
}

variable "node_service_account" {
  type        = string
  description = "Email of the dedicated node service account."
}

variable "labels" {
  type        = map(string)
  description = "Labels for every resource."
  default     = {}
}

variable "app_hostname" {
  type        = string
  description = "Public hostname of the app (no trailing dot), which the region's certificate covers."
}

variable "dns_zone" {
  type        = string
  description = "Name of the public Cloud DNS zone that holds the certificate's DNS authorization record."
}
