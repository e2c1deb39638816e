#!/usr/bin/env bash
# deploy/release.sh VERSION: the release artifacts that the EC2 user data installs.
#
# Builds static linux/amd64 and linux/arm64 binaries of ./cmd/analytics-bot into dist/, copies
# the systemd unit beside them, and writes dist/SHA256SUMS over all three. The statement gate
# links PostgreSQL's own parser (libpg_query, C), so the build needs cgo (CGO_ENABLED=1) and a
# C compiler per architecture: CC_amd64 and CC_arm64, by default x86_64-linux-gnu-gcc and
# aarch64-linux-gnu-gcc (Debian: apt-get install gcc-x86-64-linux-gnu gcc-aarch64-linux-gnu),
# or plain gcc for the host's own architecture. The binaries are linked statically (netgo,
# osusergo: no glibc resolver or user lookups at run time).
# The user data downloads <release_base_url>/<VERSION>/{analytics-bot-linux-<arch>,
# analytics-bot.service,SHA256SUMS} and refuses anything whose checksum does not match, so
# upload the whole dist/ folder under the version:
#
#   deploy/release.sh v1.2.3
#   aws s3 cp dist/ s3://my-release-bucket/analytics-bot/v1.2.3/ --recursive
#
# Run from anywhere; paths are resolved against the repository root (the parent of deploy/).
set -euo pipefail

usage() { echo "usage: deploy/release.sh VERSION   (for example v1.2.3)" >&2; }

[ $# -eq 1 ] || { usage; exit 2; }
VERSION=$1
# The version ends up in a URL path, a file name and an -ldflags -X argument: keep it plain.
if ! [[ $VERSION =~ ^v?[0-9A-Za-z][0-9A-Za-z._+-]*$ ]]; then
  echo "release: version '$VERSION' must be letters, digits, '.', '_', '+' or '-' (for example v1.2.3)" >&2
  exit 2
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

PKG=./cmd/analytics-bot
DIST=dist
UNIT=deploy/analytics-bot.service
ARCHES=(amd64 arm64)

[ -d "$PKG" ] || { echo "release: $PKG not found in $ROOT" >&2; exit 1; }
command -v go >/dev/null 2>&1 || { echo "release: go not found on PATH" >&2; exit 1; }
if command -v sha256sum >/dev/null 2>&1; then SHA=(sha256sum); else SHA=(shasum -a 256); fi

mkdir -p "$DIST"
# Remove only what this script produces, so a stale binary can never ship under a new sum.
rm -f "$DIST/SHA256SUMS" "$DIST/analytics-bot.service"
for arch in "${ARCHES[@]}"; do rm -f "$DIST/analytics-bot-linux-$arch"; done

host_cc_arch=
case "$(uname -m)" in
  x86_64) host_cc_arch=amd64 ;;
  aarch64 | arm64) host_cc_arch=arm64 ;;
esac
for arch in "${ARCHES[@]}"; do
  out=$DIST/analytics-bot-linux-$arch
  cc_var=CC_$arch
  case "$arch" in
    amd64) cc=${!cc_var:-x86_64-linux-gnu-gcc} ;;
    arm64) cc=${!cc_var:-aarch64-linux-gnu-gcc} ;;
  esac
  if ! command -v "$cc" >/dev/null 2>&1 && [ "$arch" = "$host_cc_arch" ]; then cc=gcc; fi
  command -v "$cc" >/dev/null 2>&1 || {
    echo "release: no C compiler for linux/$arch ($cc): set $cc_var or install it (the SQL parser is C)" >&2
    exit 1
  }
  echo "==> building $out ($VERSION, CC=$cc)"
  CGO_ENABLED=1 CC=$cc GOOS=linux GOARCH=$arch GOFLAGS="${GOFLAGS:-} -mod=readonly" \
    go build -trimpath -tags netgo,osusergo,nomsgpack \
    -ldflags "-s -w -X main.version=$VERSION -linkmode external -extldflags -static" -o "$out" "$PKG"
done
install -m 0644 "$UNIT" "$DIST/analytics-bot.service"

(
  cd "$DIST"
  files=(analytics-bot.service)
  for arch in "${ARCHES[@]}"; do files+=("analytics-bot-linux-$arch"); done
  "${SHA[@]}" "${files[@]}" >SHA256SUMS
  "${SHA[@]}" -c SHA256SUMS >/dev/null
)

# Smoke-test the binary this machine can run: it must start and report the stamped version.
host_arch=
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) host_arch=amd64 ;;
  Linux/aarch64 | Linux/arm64) host_arch=arm64 ;;
esac
if [ -n "$host_arch" ]; then
  if ! got=$("$DIST/analytics-bot-linux-$host_arch" version 2>&1); then
    echo "release: '$DIST/analytics-bot-linux-$host_arch version' failed: $got" >&2
    exit 1
  fi
  case "$got" in
    *"$VERSION"*) echo "==> $DIST/analytics-bot-linux-$host_arch version: $got" ;;
    *) echo "release: '$DIST/analytics-bot-linux-$host_arch version' printed '$got', not $VERSION" >&2; exit 1 ;;
  esac
else
  echo "==> not a linux/amd64 or linux/arm64 host: skipping the version smoke test"
fi

echo "==> $DIST/SHA256SUMS"
cat "$DIST/SHA256SUMS"
