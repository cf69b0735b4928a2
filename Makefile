# The two commands a new user needs (see README.md).
.PHONY: check test build clean cluster-up cluster-down e2e

# Build guard and check the project's own stacks and charts, with the base
# stack's repository charts (Kyverno, kube-prometheus-stack) rendered from
# their archives where they are (CHARTS; CI has ../shared/charts). Without
# them guard says which releases it could not render, and checks the rest.
CHARTS ?= $(wildcard ../shared/charts)
check: build
	bin/guard check $(if $(CHARTS),--charts $(CHARTS))

# Run every test and lint check.
test:
	scripts/test.sh

# -buildvcs=auto: `guard version` names the checkout's commit even where
# GOFLAGS turns VCS stamping off.
build:
	go build -buildvcs=auto -o bin/guard ./cmd/guard

# A local control plane (etcd, kube-apiserver, Kyverno with the stack's
# policies) to try manifests against by hand; see README.md.
cluster-up: build
	scripts/tools.sh
	go build -o bin/e2e-cluster ./test/e2e/cmd/e2e-cluster
	bin/e2e-cluster up

cluster-down:
	go build -o bin/e2e-cluster ./test/e2e/cmd/e2e-cluster
	bin/e2e-cluster down

# The admission parity suite alone (make test runs it too); it reuses a
# control plane started by cluster-up.
e2e:
	scripts/tools.sh
	GUARD_E2E_CLUSTER=$$( [ -f .cache/cluster/state.json ] && echo $$PWD/.cache/cluster ) go test -count=1 -v ./test/e2e/

clean:
	rm -rf bin .cache
