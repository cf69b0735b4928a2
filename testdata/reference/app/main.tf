locals {
  common_values = {
    image = {
      repository = var.image_repository
      tag        = var.image_tag
    }
    serviceAccount = {
      name              = "app"
      gcpServiceAccount = var.workload_service_account
    }
    autoscaling = {
      enabled                        = true
      maxReplicas                    = 12
      targetCPUUtilizationPercentage = 70
    }
  }
}

resource "helm_release" "app_primary" {
  provider         = helm.primary
  name             = "app"
  chart            = "${path.module}/charts/app"
  namespace        = var.namespace
  create_namespace = true
  atomic           = true
  timeout          = 600

  values = [yamlencode(merge(local.common_values, {
    region      = var.clusters["primary"].region
    role        = "primary"
    autoscaling = merge(local.common_values.autoscaling, { minReplicas = 3 })
  }))]

  set = [{
    name  = "service.port"
    value = "80"
  }]
}

resource "helm_release" "app_secondary" {
  provider         = helm.secondary
  name             = "app"
  chart            = "${path.module}/charts/app"
  namespace        = var.namespace
  create_namespace = true
  atomic           = true
  timeout          = 600

  values = [yamlencode(merge(local.common_values, {
    region      = var.clusters["secondary"].region
    role        = "secondary"
    autoscaling = merge(local.common_values.autoscaling, { minReplicas = 1 })
  }))]

  set = [{
    name  = "service.port"
    value = "80"
  }]
}

output "releases" {
  value = {
    primary   = { name = helm_release.app_primary.name, namespace = helm_release.app_primary.namespace, status = helm_release.app_primary.status }
    secondary = { name = helm_release.app_secondary.name, namespace = helm_release.app_secondary.namespace, status = helm_release.app_secondary.status }
  }
}
