variable "region" {
  default = "us-east1"
  validation {
    condition     = startswith(var.region, "europe-")
    error_message = "The platform runs in Europe only."
  }
}
