locals {
  chart = "${path.module}/../../charts/app"

  # Names follow the base stack's convention (<environment>-<role>-...); the
  # check below compares them with the base stack's outputs at plan time.
  image_repository = "${var.artifact_registry_location}-docker.pkg.dev/${var.project_id}/${var.environment}-images/${var.image_name}"
  service_account  = "${var.environment}-app@${var.project_id}.iam.gserviceaccount.com"

  # What every region gets; each region's own values are in charts/app/values-<role>.yaml.
  stack_values = yamlencode({
    image = {
      repository = local.image_repository
      tag        = var.image_tag
      digest     = var.image_digest
    }
    serviceAccount = {
      name              = "app"
      gcpServiceAccount = local.service_account
    }
    gateway = {
      hostname = var.hostname
    }
  })
}

resource "helm_release" "app_primary" {
  provider         = helm.primary
  name             = "app"
  chart            = local.chart
  namespace        = var.namespace
  create_namespace = true
  # The chart owns the namespace object (for its Pod Security labels).
  take_ownership = true
  atomic         = true
  timeout        = 600

  values = [
    file("${local.chart}/values-primary.yaml"),
    local.stack_values,
    yamlencode({ rollout = { enabled = lookup(var.rollout_enabled, "primary", false) } }),
  ]
}

resource "helm_release" "app_secondary" {
  provider         = helm.secondary
  name             = "app"
  chart            = local.chart
  namespace        = var.namespace
  create_namespace = true
  take_ownership   = true
  atomic           = true
  timeout          = 600

  values = [
    file("${local.chart}/values-secondary.yaml"),
    local.stack_values,
    yamlencode({ rollout = { enabled = lookup(var.rollout_enabled, "secondary", false) } }),
  ]
}

# The region values files and this stack's names must match what the base
# stack created; a mismatch is reported at plan time.
check "base_stack_agrees" {
  assert {
    condition = alltrue([
      for role in keys(var.regions) :
      yamldecode(file("${local.chart}/values-${role}.yaml")).gateway.addressName == data.terraform_remote_state.base.outputs.gateway_addresses[role].name
      && yamldecode(file("${local.chart}/values-${role}.yaml")).cloudArmor.policyName == data.terraform_remote_state.base.outputs.security_policies[role]
      && yamldecode(file("${local.chart}/values-${role}.yaml")).networkPolicy.proxyOnlyRange == data.terraform_remote_state.base.outputs.proxy_only_ranges[role]
      && yamldecode(file("${local.chart}/values-${role}.yaml")).region == var.regions[role]
    ])
    error_message = "charts/app/values-<role>.yaml do not match the base stack's gateway addresses, Cloud Armor policies, proxy-only ranges or regions."
  }

  assert {
    condition     = startswith(local.image_repository, data.terraform_remote_state.base.outputs.artifact_registry_repository)
    error_message = "The image must come from the base stack's Artifact Registry repository."
  }

  assert {
    condition     = local.service_account == data.terraform_remote_state.base.outputs.app_service_account
    error_message = "The app's Google service account differs from the base stack's."
  }
}
