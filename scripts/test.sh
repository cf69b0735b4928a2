#!/usr/bin/env bash
# The whole test suite: formatting and lint checks, then every Go test
# (unit, Rego policy tests through OPA's Go tester, acceptance tests that
# drive the built binary).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
export PATH="$PWD/.cache/bin:$PATH"

step() { echo "==> $*" >&2; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" >&2; echo "$unformatted" >&2; exit 1
fi

step "go vet"
go vet ./...

step "opa fmt, opa check --strict"
if [ -n "$(opa fmt -l policies/rego)" ]; then
  echo "opa fmt would change:" >&2; opa fmt -l policies/rego >&2; exit 1
fi
opa check --strict policies/rego

step "actionlint (workflows, the Action's usage example), goreleaser check"
actionlint .github/workflows/*.yml docs/examples/*.yml
goreleaser check

step "platform: helm lint, helm template, kubectl-validate, tofu fmt"
scripts/validate-platform.sh

step "go test (with the kyverno test parity check and the hostile-input corpus)"
GUARD_KYVERNO_CLI="$PWD/.cache/bin/kyverno" GUARD_TOFU="$PWD/.cache/bin/tofu" go test -count=1 ./...

# Each fuzz target briefly (FUZZTIME, default 10s): one instrumented build
# serves all four. A crash is written to test/fuzz/testdata/fuzz and fails
# the run; committed there, every later `go test` replays it.
step "fuzz: each target for ${FUZZTIME:-10s}"
for target in FuzzReadPlan FuzzTerraformFile FuzzManifests FuzzChartValues; do
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "${FUZZTIME:-10s}" -fuzzminimizetime 3s ./test/fuzz
done
