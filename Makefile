# The two commands a new user needs (see README.md).
.PHONY: check test build clean

# Build guard and check the project's own stacks and charts.
check: build
	bin/guard check

# Run every test and lint check.
test:
	scripts/test.sh

build:
	go build -o bin/guard ./cmd/guard

clean:
	rm -rf bin .cache
