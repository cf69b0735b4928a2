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

step "make check: the platform as it deploys, with the base stack's repository charts where they are"
make check

step "go test (with the kyverno test parity check and the hostile-input corpus)"
GUARD_KYVERNO_CLI="$PWD/.cache/bin/kyverno" GUARD_TOFU="$PWD/.cache/bin/tofu" GUARD_SARIF_MULTITOOL="$PWD/.cache/bin/sarif-multitool" GUARD_CHROMIUM="$(command -v chromium)" go test -count=1 ./...

# Each fuzz target briefly: one instrumented build serves all four. The
# budget is a count of executions, never a duration: with a duration Go's
# fuzzing coordinator can race its own deadline and fail a target with
# "context deadline exceeded" and no failing input (golang/go#75804, fixed in
# Go 1.27), so a loaded machine could fail CI with nothing found. A count has
# no deadline: load only makes it slower. Each count explores for about 10 s
# on a 2-core machine (FUZZSCALE multiplies them all). A crash is written to
# test/fuzz/testdata/fuzz and fails the run; committed there, every later
# `go test` replays it.
scale=${FUZZSCALE:-1}
step "fuzz: each target for a fixed count of executions (x${scale})"
for budget in FuzzReadPlan:6000 FuzzTerraformFile:3000 FuzzManifests:8000 FuzzChartValues:1500; do
  target=${budget%%:*} count=$(( ${budget##*:} * scale ))
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "${count}x" -fuzzminimizetime 3s ./test/fuzz
done
