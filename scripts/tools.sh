#!/usr/bin/env bash
# Installs the pinned tools the checks need, built from the Go module proxy,
# into .cache/bin (never committed). A tool already built at its pinned
# version is kept (a .version stamp beside it says which).
#   opa              opa fmt / opa check --strict on the Rego policies
#   helm             helm lint / helm template on the charts
#   kubectl-validate offline schema validation of the rendered charts
#   tofu             tofu fmt -check on the stacks (through tools/tofu, a
#                    wrapper module: OpenTofu's go.mod has a replace directive)
#   kyverno          the upstream Kyverno CLI, for the `kyverno test` parity
#                    check (through tools/kyverno, with Kyverno's replace line)
#   conftest         the peer benchmark (bench/peers.py), with --bench only
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/.cache/bin"
mkdir -p "$BIN"
export GOFLAGS=-buildvcs=false

OPA_VERSION=v1.20.0
HELM_VERSION=v3.21.4
KUBECTL_VALIDATE_VERSION=v0.0.4
TOFU_VERSION=v1.10.6    # pinned in tools/tofu/go.mod
KYVERNO_VERSION=v1.19.1 # pinned in tools/kyverno/go.mod
CONFTEST_VERSION=v0.71.0

fresh() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/$1.version" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$BIN/$1.version"; }

if ! fresh opa "$OPA_VERSION"; then
  echo "tools: building opa $OPA_VERSION" >&2
  GOBIN="$BIN" go install "github.com/open-policy-agent/opa@$OPA_VERSION" && stamp opa "$OPA_VERSION"
fi
if ! fresh helm "$HELM_VERSION"; then
  echo "tools: building helm $HELM_VERSION" >&2
  GOBIN="$BIN" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" && stamp helm "$HELM_VERSION"
fi
if ! fresh kubectl-validate "$KUBECTL_VALIDATE_VERSION"; then
  echo "tools: building kubectl-validate $KUBECTL_VALIDATE_VERSION" >&2
  GOBIN="$BIN" go install "sigs.k8s.io/kubectl-validate@$KUBECTL_VALIDATE_VERSION" && stamp kubectl-validate "$KUBECTL_VALIDATE_VERSION"
fi
if ! fresh tofu "$TOFU_VERSION"; then
  echo "tools: building tofu $TOFU_VERSION" >&2
  (cd tools/tofu && go build -o "$BIN/tofu" github.com/opentofu/opentofu/cmd/tofu) && stamp tofu "$TOFU_VERSION"
fi
if ! fresh kyverno "$KYVERNO_VERSION"; then
  echo "tools: building kyverno $KYVERNO_VERSION" >&2
  (cd tools/kyverno && go build -o "$BIN/kyverno" github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno) && stamp kyverno "$KYVERNO_VERSION"
fi
if [ "${1:-}" = "--bench" ] && ! fresh conftest "$CONFTEST_VERSION"; then
  echo "tools: building conftest $CONFTEST_VERSION" >&2
  GOBIN="$BIN" go install "github.com/open-policy-agent/conftest@$CONFTEST_VERSION" && stamp conftest "$CONFTEST_VERSION"
fi
