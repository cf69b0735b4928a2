variable "project_id" {
  type        = string
  description = "GCP project of the platform (the base stack's)."
  default     = "acme-platform-prod"
}

variable "environment" {
  type        = string
  description = "Environment name: the prefix the base stack named its resources with."
  default     = "prod"
}

variable "regions" {
  type        = map(string)
  description = "Region of each role, as in the base stack."
  default = {
    primary   = "europe-west1"
    secondary = "europe-west4"
  }

  validation {
    condition     = length(var.regions) == 2 && contains(keys(var.regions), "primary") && contains(keys(var.regions), "secondary")
    error_message = "regions must have exactly the keys primary and secondary."
  }
}

variable "namespace" {
  type        = string
  description = "Namespace of the app in both clusters (created by the chart, restricted Pod Security)."
  default     = "platform-app"
}

variable "artifact_registry_location" {
  type        = string
  description = "Location of the base stack's Artifact Registry repository."
  default     = "europe"
}

variable "image_name" {
  type        = string
  description = "Image name inside the repository."
  default     = "app"
}

variable "image_tag" {
  type        = string
  description = "Image tag to deploy (never latest); ignored when image_digest is set."
  default     = "1.4.2"

  validation {
    condition     = var.image_tag != "latest"
    error_message = "image_tag must not be latest: pin a version or a digest."
  }
}

variable "image_digest" {
  type        = string
  description = "Image digest (sha256:...) to deploy; preferred over the tag."
  default     = ""

  validation {
    condition     = var.image_digest == "" || can(regex("^sha256:[a-f0-9]{64}$", var.image_digest))
    error_message = "image_digest must be empty or sha256:<64 hex digits>."
  }
}

variable "hostname" {
  type        = string
  description = "Public hostname of the app: the base stack's DNS failover record, without the trailing dot."
  default     = "app.platform.acme.example"
}

variable "rollout_enabled" {
  type        = map(bool)
  description = "Per region role: release the app as an Argo Rollout (canary steps, smoke-test analysis, automatic rollback) instead of a Deployment. Argo Rollouts must run in that region's cluster."
  default = {
    primary   = false
    secondary = false
  }

  validation {
    condition     = alltrue([for role in keys(var.rollout_enabled) : contains(["primary", "secondary"], role)])
    error_message = "rollout_enabled keys are region roles: primary, secondary."
  }
}
