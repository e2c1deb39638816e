#!/usr/bin/env bash
# deploy/release.sh VERSION: the release artifacts that the EC2 user data installs.
#
# Builds static (CGO_ENABLED=0) linux/amd64 and linux/arm64 binaries of ./cmd/analytics-bot
# into dist/, copies the systemd unit beside them, and writes dist/SHA256SUMS over all three.
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

for arch in "${ARCHES[@]}"; do
  out=$DIST/analytics-bot-linux-$arch
  echo "==> building $out ($VERSION)"
  CGO_ENABLED=0 GOOS=linux GOARCH=$arch GOFLAGS="${GOFLAGS:-} -mod=readonly" \
    go build -trimpath -ldflags "-s -w -X main.version=$VERSION" -o "$out" "$PKG"
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
