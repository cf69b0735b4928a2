#!/usr/bin/env bash
# Installs the pinned tools the checks need, built from the Go module proxy,
# into .cache/bin (never committed). Safe to run again: a tool already there
# at the pinned version is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/.cache/bin"
mkdir -p "$BIN"

OPA_VERSION=v1.20.0

install() { # name module@version version-probe-args expected
  local name=$1 pkg=$2 expect=$3
  shift 3
  if [ -x "$BIN/$name" ] && "$BIN/$name" "$@" 2>/dev/null | grep -q -- "$expect"; then
    return
  fi
  echo "tools: installing $pkg" >&2
  GOBIN="$BIN" GOFLAGS=-buildvcs=false go install "$pkg"
}

install opa "github.com/open-policy-agent/opa@$OPA_VERSION" "${OPA_VERSION#v}" version
