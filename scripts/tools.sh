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
#   kube-apiserver, kubectl, etcd
#                    the e2e suite's control plane (test/e2e), through
#                    tools/kube, which pins k8s.io/kubernetes and etcd
#   kyverno-admission
#                    Kyverno's admission controller for the same suite
#                    (tools/kyverno, the same pin as the CLI)
#   actionlint       lints the workflows and the GitHub Action's usage example
#   goreleaser       `goreleaser check` on .goreleaser.yaml (the longest
#                    build here: about 7 minutes cold on 2 cores)
#   conftest         the peer benchmark (bench/peers.py), with --bench only
#   sarif-multitool  Microsoft's SARIF Multitool (npm), validating guard's
#                    SARIF as GitHub code scanning reads it
#   chromium         Debian's Chromium (apt-get, where it is missing), which
#                    renders the HTML report for its DOM test
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
ACTIONLINT_VERSION=v1.7.12
GORELEASER_VERSION=v2.15.1
SARIF_MULTITOOL_VERSION=5.7.0
KUBE_VERSION=v1.36.3    # pinned in tools/kube/go.mod, with etcd v3.6.8

fresh() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/$1.version" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$BIN/$1.version"; }

# goreleaser is the longest build and shares no package with the others: it
# builds in the background while they do (its module downloads and links
# fill the gaps in theirs), and the script waits for it at the end.
goreleaser_pid=""
if ! fresh goreleaser "$GORELEASER_VERSION"; then
  echo "tools: building goreleaser $GORELEASER_VERSION (in the background)" >&2
  (GOBIN="$BIN" go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION" && stamp goreleaser "$GORELEASER_VERSION") \
    > "$BIN/goreleaser.log" 2>&1 &
  goreleaser_pid=$!
fi

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
if ! fresh kyverno-admission "$KYVERNO_VERSION"; then
  echo "tools: building kyverno-admission $KYVERNO_VERSION" >&2
  (cd tools/kyverno && go build -o "$BIN/kyverno-admission" github.com/kyverno/kyverno/cmd/kyverno) && stamp kyverno-admission "$KYVERNO_VERSION"
fi
if ! fresh actionlint "$ACTIONLINT_VERSION"; then
  echo "tools: building actionlint $ACTIONLINT_VERSION" >&2
  GOBIN="$BIN" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" && stamp actionlint "$ACTIONLINT_VERSION"
fi
# Without the version ldflags the apiserver reports v0.0.0, which clients
# and Kyverno's version checks reject.
KUBE_LDFLAGS="-X k8s.io/component-base/version.gitVersion=$KUBE_VERSION \
 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36 \
 -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
for cmd in kube-apiserver kubectl; do
  if ! fresh "$cmd" "$KUBE_VERSION"; then
    echo "tools: building $cmd $KUBE_VERSION" >&2
    (cd tools/kube && go build -ldflags "$KUBE_LDFLAGS" -o "$BIN/$cmd" "k8s.io/kubernetes/cmd/$cmd") && stamp "$cmd" "$KUBE_VERSION"
  fi
done
if ! fresh etcd "$KUBE_VERSION"; then
  echo "tools: building etcd (as pinned for kubernetes $KUBE_VERSION)" >&2
  (cd tools/kube && go build -o "$BIN/etcd" ./cmd/etcd) && stamp etcd "$KUBE_VERSION"
fi
if [ "${1:-}" = "--bench" ] && ! fresh conftest "$CONFTEST_VERSION"; then
  echo "tools: building conftest $CONFTEST_VERSION" >&2
  GOBIN="$BIN" go install "github.com/open-policy-agent/conftest@$CONFTEST_VERSION" && stamp conftest "$CONFTEST_VERSION"
fi
# The npm package's launcher runs the binary through a shell, which would
# split --rule-kind "Gh;Sarif": the tests call the binary itself.
if ! fresh sarif-multitool "$SARIF_MULTITOOL_VERSION"; then
  echo "tools: installing sarif-multitool $SARIF_MULTITOOL_VERSION (npm)" >&2
  npm install --silent --no-audit --no-fund --prefix "$PWD/.cache/npm" "@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION" >&2
  multitool="$PWD/.cache/npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
  chmod u+x "$multitool"
  ln -sf "$multitool" "$BIN/sarif-multitool" && stamp sarif-multitool "$SARIF_MULTITOOL_VERSION"
fi
# A browser is no Go module: Debian's package, installed system-wide (as
# root, or through sudo) where none is on PATH.
if ! command -v chromium > /dev/null; then
  echo "tools: installing chromium (apt-get)" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q chromium > /dev/null 2>&1 ||
    { $sudo apt-get update -q > /dev/null && $sudo apt-get install -y -q chromium > /dev/null; }
fi
if [ -n "$goreleaser_pid" ] && ! wait "$goreleaser_pid"; then
  echo "tools: building goreleaser failed:" >&2
  cat "$BIN/goreleaser.log" >&2
  exit 1
fi
