output "releases" {
  description = "Per role: the app release's name, namespace and status."
  value = {
    primary   = { name = helm_release.app_primary.name, namespace = helm_release.app_primary.namespace, status = helm_release.app_primary.status }
    secondary = { name = helm_release.app_secondary.name, namespace = helm_release.app_secondary.namespace, status = helm_release.app_secondary.status }
  }
}

output "image" {
  description = "The image both regions run."
  value       = var.image_digest != "" ? "${local.image_repository}@${var.image_digest}" : "${local.image_repository}:${var.image_tag}"
}
