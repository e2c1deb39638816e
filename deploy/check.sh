#!/usr/bin/env bash
# deploy/check.sh: checks of everything under deploy/ (offline when the offline validator is there).
#   1. terraform fmt -check -recursive deploy/
#   2. tf-validate (../shared/tools/tf-offline): init + validate + the tests/*.tftest.hcl plans;
#      without it, where registry.terraform.io is reachable, plain terraform init + validate
#      (and terraform test when AWS credentials are configured)
#   3. bash -n on the release script and on the rendered user-data templates
#   4. systemd-analyze verify on the unit (ExecStart pointed at /bin/true: the binary is
#      not installed here), failing on any warning about the unit itself
# A tool that is not installed is skipped with the reason; a check that runs must pass.
# The Go invariants (deploy/*_test.go) run with `go test ./deploy/...`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

TF_VALIDATE=../shared/tools/tf-offline/tf-validate
UNIT=deploy/analytics-bot.service

say() { printf '==> %s\n' "$*"; }
skip() { printf '==> SKIP %s\n' "$*"; }

registry_reachable() {
  command -v curl >/dev/null 2>&1 &&
    curl -fsS --max-time 5 -o /dev/null https://registry.terraform.io/.well-known/terraform.json 2>/dev/null
}

aws_credentials() {
  command -v aws >/dev/null 2>&1 && aws sts get-caller-identity >/dev/null 2>&1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Formatting.
if command -v terraform >/dev/null 2>&1; then
  say "terraform fmt -check -recursive deploy/"
  if ! terraform fmt -check -recursive deploy/; then
    echo "check: the files above need 'terraform fmt -recursive deploy/'" >&2
    exit 1
  fi
else
  skip "terraform fmt: terraform is not installed"
fi

# 2. Validate and plan-test offline.
if [ -x "$TF_VALIDATE" ]; then
  say "$TF_VALIDATE deploy/terraform"
  rc=0
  "$TF_VALIDATE" deploy/terraform || rc=$?
  case $rc in
    0) ;;
    3) skip "tf-validate: terraform is not installed" ;;
    *)
      echo "check: tf-validate failed (exit $rc)" >&2
      exit 1
      ;;
  esac
elif ! command -v terraform >/dev/null 2>&1; then
  skip "terraform validate: terraform is not installed"
elif registry_reachable; then
  # A fresh clone without the offline validator: the real registry and provider.
  say "terraform init/validate deploy/terraform (real registry, a copy of the module)"
  work=$tmp/module
  mkdir -p "$work"
  cp -R deploy/terraform/. "$work"/
  rm -rf "$work/.terraform" "$work/.terraform.lock.hcl"
  (cd "$work" && terraform init -backend=false -input=false -no-color >/dev/null && terraform validate -no-color) || {
    echo "check: terraform init/validate failed" >&2
    exit 1
  }
  # The tests mock AWS except the password generator (aws.passwords), which the real
  # provider serves by calling Secrets Manager: they need AWS credentials.
  if aws_credentials; then
    say "terraform test (real provider)"
    (cd "$work" && terraform test -no-color) || {
      echo "check: terraform test failed" >&2
      exit 1
    }
  else
    skip "terraform test: no AWS credentials for the password generator (the offline validator needs none)"
  fi
else
  skip "tf-validate: $TF_VALIDATE not found and registry.terraform.io is not reachable"
fi

# 3. Shell syntax. Templates are rendered with dummy values first: $${x} is Terraform's
#    escape for a literal ${x}, ${x} an interpolation, %{...} a directive (none are used).
say "bash -n deploy/release.sh deploy/check.sh deploy/terraform/templates/*.sh.tftpl"
bash -n deploy/release.sh
bash -n deploy/check.sh
for tpl in deploy/terraform/templates/*.sh.tftpl; do
  if grep -q '%{' "$tpl"; then
    echo "check: $tpl uses a template directive; extend this check to render it" >&2
    exit 1
  fi
  rendered=$tmp/$(basename "$tpl" .tftpl)
  sed -e 's/\$\${/@ESCAPED@/g' -e 's/\${[A-Za-z_][A-Za-z0-9_]*}/dummy/g' -e 's/@ESCAPED@/${/g' "$tpl" >"$rendered"
  bash -n "$rendered" || {
    echo "check: $tpl is not valid bash (rendered with dummy values)" >&2
    exit 1
  }
done
if command -v shellcheck >/dev/null 2>&1; then
  say "shellcheck"
  shellcheck deploy/release.sh deploy/check.sh "$tmp"/*.sh
else
  skip "shellcheck: not installed"
fi

# 4. The systemd unit.
if command -v systemd-analyze >/dev/null 2>&1; then
  say "systemd-analyze verify $UNIT"
  unit_copy=$tmp/analytics-bot.service
  # Same unit, runnable here: only the binary changes (arguments kept for the parser).
  sed -E 's#^ExecStart=/usr/local/bin/analytics-bot( |$)#ExecStart=/bin/true\1#' "$UNIT" >"$unit_copy"
  grep -q '^ExecStart=/bin/true serve$' "$unit_copy" || {
    echo "check: $UNIT must run '/usr/local/bin/analytics-bot serve'" >&2
    exit 1
  }
  out=$tmp/verify.log
  rc=0
  systemd-analyze verify "$unit_copy" >"$out" 2>&1 || rc=$?
  # systemd reports unknown keys and unparsable values as warnings and exits 0: any line
  # about our unit is a failure. Lines about the host's own units are not ours to judge.
  ours=$(grep -E "(^|/)analytics-bot\.service(:[0-9]+)?:" "$out" || true)
  if [ "$rc" -ne 0 ] || [ -n "$ours" ]; then
    sed 's/^/    /' "$out" >&2
    echo "check: systemd-analyze verify found problems in $UNIT (exit $rc)" >&2
    exit 1
  fi
  if [ -s "$out" ]; then sed 's/^/    (host) /' "$out"; fi
  say "systemd unit ok"
else
  skip "systemd-analyze: not installed"
fi

say "deploy checks passed"
