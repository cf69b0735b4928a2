variable "project_id" {
  type        = string
  description = "GCP project hosting the platform."
  default     = "acme-platform-prod"
}

variable "environment" {
  type        = string
  description = "Environment name used in resource names and labels."
  default     = "prod"
}

variable "network_name" {
  type    = string
  default = "platform-vpc"
}

variable "regions" {
  type = map(string)
  default = {
    primary   = "europe-west1"
    secondary = "europe-west4"
  }
}

variable "region_cidrs" {
  type = map(object({
    nodes       = string
    pods        = string
    services    = string
    proxy_only  = string
    master_cidr = string
  }))
  default = {
    primary = {
      nodes       = "10.10.0.0/24"
      pods        = "10.100.0.0/16"
      services    = "10.110.0.0/20"
      proxy_only  = "10.129.0.0/23"
      master_cidr = "172.16.0.0/28"
    }
    secondary = {
      nodes       = "10.20.0.0/24"
      pods        = "10.101.0.0/16"
      services    = "10.110.16.0/20"
      proxy_only  = "10.129.2.0/23"
      master_cidr = "172.16.0.16/28"
    }
  }
}

variable "authorized_networks" {
  type = list(object({
    cidr_block   = string
    display_name = string
  }))
  description = "CIDRs allowed to reach the private control-plane endpoint."
  default = [
    { cidr_block = "10.0.0.0/8", display_name = "internal" },
  ]
}

variable "release_channel" {
  type    = string
  default = "REGULAR"
}

variable "node_machine_type" {
  type    = string
  default = "e2-standard-4"
}

variable "node_pool_min" {
  type    = number
  default = 1
}

variable "node_pool_max" {
  type    = number
  default = 5
}

variable "dns_domain" {
  type    = string
  default = "platform.acme.example."
}

variable "ingress_ips" {
  type        = map(string)
  description = "Regional external ingress addresses used by the failover record."
  default = {
    primary   = "203.0.113.10"
    secondary = "203.0.113.20"
  }
}
