variable "project_id" {
  type        = string
  description = "GCP project that hosts the platform."
  default     = "acme-platform-prod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a valid GCP project ID."
  }
}

variable "environment" {
  type        = string
  description = "Environment name, used as a prefix in resource names and as a label."
  default     = "prod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment must be 2-10 lower-case letters or digits, starting with a letter."
  }
}

variable "regions" {
  type        = map(string)
  description = "Region of each role of the active-passive pair: exactly the keys primary and secondary."
  default = {
    primary   = "europe-west1"
    secondary = "europe-west4"
  }

  validation {
    condition     = length(var.regions) == 2 && contains(keys(var.regions), "primary") && contains(keys(var.regions), "secondary")
    error_message = "regions must have exactly the keys primary and secondary."
  }

  validation {
    condition     = var.regions["primary"] != var.regions["secondary"]
    error_message = "primary and secondary must be different regions."
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
  description = <<-EOT
    Address plan per role. nodes is a /24 (256 nodes), pods a /16 (256 nodes x
    256 pod IPs, the default /24 per node for 110 pods), services a /20, proxy_only
    the /23 Google recommends for the regional load balancer's Envoy proxies, and
    master_cidr the /28 of the private control plane.
  EOT
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

  validation {
    condition = alltrue(flatten([for r in values(var.region_cidrs) : [
      can(cidrhost(r.nodes, 0)) && endswith(r.nodes, "/24"),
      can(cidrhost(r.pods, 0)) && endswith(r.pods, "/16"),
      can(cidrhost(r.services, 0)) && endswith(r.services, "/20"),
      can(cidrhost(r.proxy_only, 0)) && endswith(r.proxy_only, "/23"),
      can(cidrhost(r.master_cidr, 0)) && endswith(r.master_cidr, "/28"),
    ]]))
    error_message = "Each region needs nodes /24, pods /16, services /20, proxy_only /23 and master_cidr /28, as valid CIDRs."
  }
}

variable "bastion_cidr" {
  type        = string
  description = "Subnet of the bastion (in the primary region): the only network allowed to reach the control planes."
  default     = "192.168.100.0/28"

  validation {
    condition     = can(cidrhost(var.bastion_cidr, 0))
    error_message = "bastion_cidr must be a valid CIDR."
  }
}

variable "release_channel" {
  type        = string
  description = "GKE release channel; the channel upgrades control planes and nodes automatically."
  default     = "REGULAR"

  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR or STABLE."
  }
}

variable "node_machine_type" {
  type        = string
  description = "Machine type of the application node pool."
  default     = "e2-standard-4"
}

variable "node_pool_min" {
  type        = number
  description = "Minimum nodes per zone in each node pool."
  default     = 1

  validation {
    condition     = var.node_pool_min >= 1
    error_message = "node_pool_min must be at least 1."
  }
}

variable "node_pool_max" {
  type        = number
  description = "Maximum nodes per zone in each node pool (3 zones: at most 3x this many nodes, within the /24)."
  default     = 5

  validation {
    condition     = var.node_pool_max >= 1 && var.node_pool_max <= 80
    error_message = "node_pool_max must be between 1 and 80 (the /24 holds 256 nodes across 3 zones)."
  }
}

variable "serving_port" {
  type        = number
  description = "Container port the app serves on; health checks and the load balancer's proxies reach the nodes on it."
  default     = 8080
}

variable "dns_domain" {
  type        = string
  description = "Public DNS zone, with the trailing dot."
  default     = "platform.acme.example."

  validation {
    condition     = endswith(var.dns_domain, ".")
    error_message = "dns_domain must end with a dot."
  }
}

variable "app_hostname" {
  type        = string
  description = "Host label of the app in the zone (app -> app.<dns_domain>)."
  default     = "app"
}

variable "dns_ttl" {
  type        = number
  description = "TTL of the failover record, in seconds: low, so clients follow a failover quickly."
  default     = 30

  validation {
    condition     = var.dns_ttl >= 5 && var.dns_ttl <= 60
    error_message = "dns_ttl must be between 5 and 60 seconds."
  }
}

variable "kyverno_chart_version" {
  type        = string
  description = "Kyverno Helm chart version (chart 3.9.x ships Kyverno 1.19.x)."
  default     = "3.9.1"

  validation {
    condition     = can(regex("^3\\.9\\.[0-9]+$", var.kyverno_chart_version))
    error_message = "kyverno_chart_version must be a 3.9.x chart (Kyverno 1.19.x), matching the engine guard embeds."
  }
}

variable "kyverno_admission_replicas" {
  type        = number
  description = "Kyverno admission controller replicas; policies fail closed, so admission needs them highly available."
  default     = 3

  validation {
    condition     = var.kyverno_admission_replicas >= 3
    error_message = "Run at least 3 Kyverno admission controller replicas."
  }
}

variable "monitoring_chart_version" {
  type        = string
  description = "kube-prometheus-stack Helm chart version."
  default     = "82.6.0"
}

variable "app_namespace" {
  type        = string
  description = "Namespace of the app; its Kubernetes service account is bound to the app's Google service account."
  default     = "platform-app"
}
