#!/usr/bin/env bash
# Checks the platform's Terraform and Helm as its own tools would: helm lint
# and helm template for each region's values, the rendered manifests validated
# offline against Kubernetes' schemas and the CRDs they use, and tofu fmt.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.cache/bin:$PATH"
# The clusters run 1.33; kubectl-validate v0.0.4 embeds built-in schemas up to
# 1.30, and every built-in kind the chart uses (apps/v1, autoscaling/v2,
# policy/v1, networking.k8s.io/v1) is unchanged since.
KUBE_VERSION=1.33.0
SCHEMA_VERSION=1.30

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/crds"
cp testdata/crds/gateway-api/*.yaml testdata/crds/gke/*.yaml testdata/crds/argo-rollouts/*.yaml testdata/crds/argo-cd/*.yaml "$work/crds/"

for role in primary secondary; do
  echo "--> charts/app: helm lint, template and validate ($role)" >&2
  helm lint --strict --quiet charts/app -f "charts/app/values-$role.yaml" --kube-version "$KUBE_VERSION"
  helm template app charts/app --namespace platform-app -f "charts/app/values-$role.yaml" \
    --kube-version "$KUBE_VERSION" > "$work/app-$role.yaml"
  kubectl-validate "$work/app-$role.yaml" --local-crds "$work/crds" --version "$SCHEMA_VERSION"
  # The same release with progressive delivery: a Rollout (Argo Rollouts'
  # CRD) and its smoke-test AnalysisTemplate instead of the Deployment.
  helm lint --strict --quiet charts/app -f "charts/app/values-$role.yaml" --set rollout.enabled=true --kube-version "$KUBE_VERSION"
  helm template app charts/app --namespace platform-app -f "charts/app/values-$role.yaml" --set rollout.enabled=true \
    --kube-version "$KUBE_VERSION" > "$work/app-rollout-$role.yaml"
  grep -q "^kind: Rollout" "$work/app-rollout-$role.yaml" && ! grep -q "^kind: Deployment" "$work/app-rollout-$role.yaml"
  kubectl-validate "$work/app-rollout-$role.yaml" --local-crds "$work/crds" --version "$SCHEMA_VERSION"
done

echo "--> deploy/argocd: validate against Argo CD's CRDs" >&2
kubectl-validate deploy/argocd --local-crds "$work/crds" --version "$SCHEMA_VERSION"

echo "--> the validation rejects invalid objects" >&2
if kubectl-validate testdata/bad/invalid-platform-objects.yaml --local-crds "$work/crds" --version "$SCHEMA_VERSION" > "$work/negative.txt" 2>&1; then
  echo "kubectl-validate accepted testdata/bad/invalid-platform-objects.yaml" >&2; exit 1
fi
grep -q "securityPolicyName" "$work/negative.txt" && grep -q "spec.strategy.canary.canaryWeight" "$work/negative.txt" || { cat "$work/negative.txt" >&2; exit 1; }

for chart in charts/platform-policies charts/platform-namespaces policies; do
  echo "--> $chart: helm lint" >&2
  helm lint --strict --quiet "$chart" --kube-version "$KUBE_VERSION"
done

echo "--> tofu fmt -check" >&2
TF_CLI_CONFIG_FILE=/dev/null tofu fmt -check -recursive -no-color stacks testdata/reference testdata/hcl/fixture testdata/hcl/violating
