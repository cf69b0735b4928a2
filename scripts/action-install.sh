#!/usr/bin/env bash
# Installs guard for the GitHub Action (action.yml): the release archive for
# the runner's OS and architecture, its SHA-256 checked against the
# release's checksums.txt; or, for version "source" or an action used at a
# branch or commit, a build from the action's own checkout.
set -euo pipefail
version="${GUARD_VERSION:-}"
if [ -z "$version" ]; then
  case "${ACTION_REF:-}" in
    v[0-9]*) version="$ACTION_REF" ;;
    *) version=source ;;
  esac
fi
dest="$RUNNER_TEMP/guard-bin"
mkdir -p "$dest"

if [ "$version" = source ]; then
  echo "guard: building from $ACTION_PATH" >&2
  (cd "$ACTION_PATH" && go build -trimpath -o "$dest/guard" ./cmd/guard)
else
  case "$version" in
    v[0-9]*) ;;
    *) echo "::error title=guard::version \"$version\": want a release tag (v1.2.0) or source"; exit 2 ;;
  esac
  case "$RUNNER_OS" in
    Linux) os=linux ;;
    macOS) os=darwin ;;
    *) echo "::error title=guard::no guard release for $RUNNER_OS (linux and darwin only); use version: source"; exit 2 ;;
  esac
  case "$RUNNER_ARCH" in
    X64) arch=amd64 ;;
    ARM64) arch=arm64 ;;
    *) echo "::error title=guard::no guard release for $RUNNER_ARCH (amd64 and arm64 only)"; exit 2 ;;
  esac
  archive="guard_${version#v}_${os}_${arch}.tar.gz"
  base="https://github.com/acme/guard/releases/download/$version"
  tmp="$(mktemp -d)"
  curl -fsSL --retry 3 -o "$tmp/$archive" "$base/$archive"
  curl -fsSL --retry 3 -o "$tmp/checksums.txt" "$base/checksums.txt"
  want="$(awk -v f="$archive" '$2 == f { print $1 }' "$tmp/checksums.txt")"
  if command -v sha256sum > /dev/null; then
    got="$(sha256sum "$tmp/$archive" | cut -d' ' -f1)"
  else
    got="$(shasum -a 256 "$tmp/$archive" | cut -d' ' -f1)"
  fi
  if [ -z "$want" ] || [ "$want" != "$got" ]; then
    echo "::error title=guard::$archive: checksum ${got} is not the release's (${want:-none listed})"
    exit 2
  fi
  tar -xzf "$tmp/$archive" -C "$dest" guard
fi
echo "$dest" >> "$GITHUB_PATH"
"$dest/guard" version
