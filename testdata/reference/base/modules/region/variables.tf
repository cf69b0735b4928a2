variable "project_id" { type = string }
variable "environment" { type = string }
variable "region" { type = string }
variable "network_id" { type = string }
variable "network_self_link" { type = string }
variable "release_channel" { type = string }
variable "machine_type" { type = string }
variable "min_nodes" { type = number }
variable "max_nodes" { type = number }

variable "role" {
  type        = string
  description = "Role of this region in the active-passive pair (primary or secondary)."
}

variable "cidrs" {
  type = object({
    nodes       = string
    pods        = string
    services    = string
    proxy_only  = string
    master_cidr = string
  })
}

variable "authorized_networks" {
  type = list(object({
    cidr_block   = string
    display_name = string
  }))
}

variable "node_service_account" {
  type        = string
  description = "Email of the node service account; null falls back to the Compute Engine default service account."
  default     = null
}

variable "enable_private_endpoint" {
  type    = bool
  default = true
}

variable "enable_legacy_abac" {
  type    = bool
  default = false
}

variable "datapath_provider" {
  type    = string
  default = "ADVANCED_DATAPATH"
}
