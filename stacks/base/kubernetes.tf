# What the base stack installs in both clusters: Kyverno, enforcing the
# policies guard checks in CI (read from policies/kyverno, not copied), and
# the monitoring stack.

locals {
  # The platform's Artifact Registry repository: the one registry the nodes
  # may pull from (STK-002), for the add-ons' images as for the app's.
  image_registry = "${google_artifact_registry_repository.images.location}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"

  # guard's policy library, installed as its chart (guard-policies) with
  # this platform's parameters and profile (platform/parameters.yaml, which
  # this repository's .guard.yaml names): the clusters enforce what guard
  # checks in CI, with the same choices. The platform's exceptions to them
  # (platform/exceptions, which .guard.yaml adds to guard's checks) are
  # installed beside them; the Kyverno test suites are not.
  policy_values = [file("${path.module}/../../platform/parameters.yaml")]
  exception_manifests = [
    for f in sort(fileset("${path.module}/../../platform/exceptions", "*.yaml")) : file("${path.module}/../../platform/exceptions/${f}")
    if f != "kyverno-test.yaml"
  ]
  kyverno_values = yamlencode({
    # Kyverno's images (reg.kyverno.io/kyverno/*, ghcr.io/kyverno/readiness-checker)
    # are mirrored into the platform repository at the chart's app version
    # (stacks/base/README.md); every component pulls them from there.
    global          = { image = { registry = local.image_registry } }
    webhooksCleanup = { image = { registry = local.image_registry } }
    test            = { image = { registry = local.image_registry } }
    admissionController = {
      replicas = var.kyverno_admission_replicas
    }
    backgroundController = { replicas = 2 }
    cleanupController    = { replicas = 2 }
    reportsController    = { replicas = 2 }
    features = {
      # Policies say failurePolicy: Fail; never let the chart weaken that.
      forceFailurePolicyIgnore = { enabled = false }
      # The exceptions in platform/exceptions, which guard applies
      # in CI, must apply at admission too; only in Kyverno's namespace,
      # where the platform-policies release puts them.
      policyExceptions = { enabled = true, namespace = "kyverno" }
    }
  })

  # The monitoring release's namespaces, per region (each has its own
  # control plane and node ranges): monitoring enforces the restricted Pod
  # Security Standard; node-exporter, which reads the host, gets a namespace of
  # its own that does not (its exception: platform/exceptions). Both deny all
  # traffic but what the components need (STK-004).
  monitoring_namespaces = { for role, cidrs in var.region_cidrs : role => yamlencode({
    namespaces = [
      {
        name        = "monitoring"
        podSecurity = "restricted"
        networkPolicies = [
          # Name resolution, for every pod.
          { name = "allow-dns", spec = {
            podSelector = {}, policyTypes = ["Egress"]
            egress = [{
              to    = [{ namespaceSelector = { matchLabels = { "kubernetes.io/metadata.name" = "kube-system" } }, podSelector = { matchLabels = { "k8s-app" = "kube-dns" } } }]
              ports = [{ protocol = "UDP", port = 53 }, { protocol = "TCP", port = 53 }]
            }]
          } },
          # The operator, kube-state-metrics, Grafana's sidecars, Prometheus'
          # service discovery and the webhook's Jobs call the API server
          # (the region's private control-plane range).
          { name = "allow-kube-apiserver", spec = {
            podSelector = {}, policyTypes = ["Egress"]
            egress      = [{ to = [{ ipBlock = { cidr = cidrs.master_cidr } }], ports = [{ protocol = "TCP", port = 443 }] }]
          } },
          # The API server calls the operator's admission webhook.
          { name = "allow-webhook-from-apiserver", spec = {
            podSelector = { matchLabels = { app = "kube-prometheus-stack-operator" } }, policyTypes = ["Ingress"]
            ingress     = [{ from = [{ ipBlock = { cidr = cidrs.master_cidr } }], ports = [{ protocol = "TCP", port = 10250 }] }]
          } },
          # Prometheus scrapes pods in every namespace and the nodes
          # (kubelet, node-exporter on the host's network).
          { name = "allow-prometheus-scrape", spec = {
            podSelector = { matchLabels = { "app.kubernetes.io/name" = "prometheus" } }, policyTypes = ["Egress"]
            egress      = [{ to = [{ namespaceSelector = {} }, { ipBlock = { cidr = cidrs.nodes } }] }]
          } },
          # The components talk to each other: Grafana to Prometheus,
          # Prometheus to Alertmanager, the exporters and the operator.
          { name = "allow-within-namespace", spec = {
            podSelector = {}, policyTypes = ["Ingress", "Egress"]
            ingress     = [{ from = [{ podSelector = {} }] }]
            egress      = [{ to = [{ podSelector = {} }] }]
          } },
        ]
      },
      # node-exporter runs in the host's network: NetworkPolicies do not
      # reach its pods, and nothing else runs there.
      { name = "node-exporter", podSecurity = "privileged", networkPolicies = [] },
    ]
  }) }

  monitoring_values = yamlencode({
    # kube-prometheus-stack's images (quay.io, registry.k8s.io, docker.io,
    # ghcr.io) are mirrored into the platform repository at the chart's
    # versions (stacks/README.md, "Images of the add-ons"); every component and
    # subchart pulls them from there (K8S-002, STK-002).
    global = { imageRegistry = local.image_registry }
    # Sized limits for every container (K8S-003): what the release needs at
    # two clusters' scale, with room.
    prometheusOperator = {
      resources = { requests = { cpu = "100m", memory = "128Mi" }, limits = { cpu = "500m", memory = "512Mi" } }
      admissionWebhooks = {
        patch = { resources = { requests = { cpu = "50m", memory = "64Mi" }, limits = { cpu = "100m", memory = "128Mi" } } }
      }
    }
    "prometheus-node-exporter" = {
      # In a namespace of its own (local.monitoring_namespaces): it reads the
      # host, which the monitoring namespace's restricted Pod Security does
      # not allow.
      namespaceOverride = "node-exporter"
      resources         = { requests = { cpu = "50m", memory = "64Mi" }, limits = { cpu = "250m", memory = "128Mi" } }
    }
    grafana = {
      # null drops kube-prometheus-stack's well-known default password: the
      # Grafana chart then generates one into the Secret it creates itself
      # (kube-prometheus-stack-grafana, key admin-password) and keeps it
      # across upgrades. No Secret is referenced that nothing creates.
      adminPassword = null
      # Grafana's sidecars load dashboards and data sources from their own
      # namespace only, through a Role: the chart's default is a ClusterRole
      # that reads every Secret in the cluster (RBAC-001).
      rbac = { namespaced = true }
      sidecar = {
        dashboards      = { searchNamespace = null }
        resources       = { requests = { cpu = "50m", memory = "64Mi" }, limits = { cpu = "200m", memory = "256Mi" } }
        securityContext = { readOnlyRootFilesystem = true }
      }
      resources = { requests = { cpu = "100m", memory = "256Mi" }, limits = { cpu = "1", memory = "1Gi" } }
      # Grafana writes its database, plugins and sessions to its storage
      # volume (an emptyDir), never to its image (K8S-008).
      containerSecurityContext = { readOnlyRootFilesystem = true }
    }
    "kube-state-metrics" = {
      # Every collector of the chart but secrets: listing every Secret in
      # the cluster is reading them (RBAC-001), for metrics the platform
      # does not use.
      collectors = [
        "certificatesigningrequests", "configmaps", "cronjobs", "daemonsets", "deployments", "endpointslices",
        "horizontalpodautoscalers", "ingresses", "jobs", "leases", "limitranges", "mutatingwebhookconfigurations",
        "namespaces", "networkpolicies", "nodes", "persistentvolumeclaims", "persistentvolumes",
        "poddisruptionbudgets", "pods", "replicasets", "replicationcontrollers", "resourcequotas", "services",
        "statefulsets", "storageclasses", "validatingwebhookconfigurations", "volumeattachments",
      ]
      resources = { requests = { cpu = "50m", memory = "128Mi" }, limits = { cpu = "500m", memory = "512Mi" } }
    }
    prometheus = {
      prometheusSpec = {
        retention = "15d"
      }
    }
  })
}

resource "helm_release" "kyverno_primary" {
  provider         = helm.primary
  name             = "kyverno"
  repository       = "https://kyverno.github.io/kyverno/"
  chart            = "kyverno"
  version          = var.kyverno_chart_version
  namespace        = "kyverno"
  create_namespace = true
  atomic           = true
  values           = [local.kyverno_values]
}

resource "helm_release" "kyverno_secondary" {
  provider         = helm.secondary
  name             = "kyverno"
  repository       = "https://kyverno.github.io/kyverno/"
  chart            = "kyverno"
  version          = var.kyverno_chart_version
  namespace        = "kyverno"
  create_namespace = true
  atomic           = true
  values           = [local.kyverno_values]
}

resource "helm_release" "policies_primary" {
  provider   = helm.primary
  name       = "guard-policies"
  chart      = "${path.module}/../../policies"
  namespace  = "kyverno"
  atomic     = true
  values     = local.policy_values
  depends_on = [helm_release.kyverno_primary]
}

resource "helm_release" "policies_secondary" {
  provider   = helm.secondary
  name       = "guard-policies"
  chart      = "${path.module}/../../policies"
  namespace  = "kyverno"
  atomic     = true
  values     = local.policy_values
  depends_on = [helm_release.kyverno_secondary]
}

resource "helm_release" "exceptions_primary" {
  provider   = helm.primary
  name       = "platform-policies"
  chart      = "${path.module}/../../charts/platform-policies"
  namespace  = "kyverno"
  atomic     = true
  values     = [yamlencode({ manifests = local.exception_manifests })]
  depends_on = [helm_release.policies_primary]
}

resource "helm_release" "exceptions_secondary" {
  provider   = helm.secondary
  name       = "platform-policies"
  chart      = "${path.module}/../../charts/platform-policies"
  namespace  = "kyverno"
  atomic     = true
  values     = [yamlencode({ manifests = local.exception_manifests })]
  depends_on = [helm_release.policies_secondary]
}

resource "helm_release" "monitoring_namespaces_primary" {
  provider  = helm.primary
  name      = "monitoring-namespaces"
  chart     = "${path.module}/../../charts/platform-namespaces"
  namespace = "kube-system"
  atomic    = true
  values    = [local.monitoring_namespaces["primary"]]
}

resource "helm_release" "monitoring_namespaces_secondary" {
  provider  = helm.secondary
  name      = "monitoring-namespaces"
  chart     = "${path.module}/../../charts/platform-namespaces"
  namespace = "kube-system"
  atomic    = true
  values    = [local.monitoring_namespaces["secondary"]]
}

resource "helm_release" "monitoring_primary" {
  provider   = helm.primary
  name       = "kube-prometheus-stack"
  repository = "https://prometheus-community.github.io/helm-charts"
  chart      = "kube-prometheus-stack"
  version    = var.monitoring_chart_version
  namespace  = "monitoring"
  atomic     = true
  values     = [local.monitoring_values]
  # Its namespaces, labelled and isolated, exist first.
  depends_on = [helm_release.monitoring_namespaces_primary]
}

resource "helm_release" "monitoring_secondary" {
  provider   = helm.secondary
  name       = "kube-prometheus-stack"
  repository = "https://prometheus-community.github.io/helm-charts"
  chart      = "kube-prometheus-stack"
  version    = var.monitoring_chart_version
  namespace  = "monitoring"
  atomic     = true
  values     = [local.monitoring_values]
  # Its namespaces, labelled and isolated, exist first.
  depends_on = [helm_release.monitoring_namespaces_secondary]
}
