#!/usr/bin/env bash
# Builds, once per machine, the pinned Terraform CLI and huaweicloud provider
# that the Terraform end-to-end test (internal/e2e/terraform) drives,
# and lays the provider out as a filesystem mirror so that `terraform init`
# needs no registry:
#
#   $CACHE/terraform-1.8.5/terraform
#   $CACHE/mirror/registry.terraform.io/huaweicloud/huaweicloud/1.95.0/<os>_<arch>/terraform-provider-huaweicloud_v1.95.0
#
# CACHE is $IIC_TERRAFORM_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/iic/terraform
# (the directory the test looks in by default). Both come from the Go module
# proxy and build in several minutes each; a binary already there is kept
# (each is moved into place only once fully built, so its path says its
# version). Exits non-zero, saying why, when a build fails (e.g. no network);
# the test then skips, loudly.
set -euo pipefail
export CHECKPOINT_DISABLE=1

TF_VERSION=1.8.5
PROVIDER_VERSION=1.95.0
PROVIDER_MODULE=github.com/huaweicloud/terraform-provider-huaweicloud

cache=${IIC_TERRAFORM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iic/terraform}
platform="$(go env GOOS)_$(go env GOARCH)"
tf="$cache/terraform-$TF_VERSION/terraform"
pdir="$cache/mirror/registry.terraform.io/huaweicloud/huaweicloud/$PROVIDER_VERSION/$platform"
provider="$pdir/terraform-provider-huaweicloud_v$PROVIDER_VERSION"

mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A source build calls itself <version>-dev.
if [ -x "$tf" ] && TF_CLI_CONFIG_FILE=/dev/null "$tf" version -json 2>/dev/null |
  grep -Eq "\"terraform_version\": *\"${TF_VERSION//./\\.}(-dev)?\""; then
  echo "terraform $TF_VERSION: cached at $tf"
else
  echo "terraform $TF_VERSION: building from the Go module proxy (several minutes)..."
  start=$(date +%s)
  # Outside any module, so that no go.mod or go.work of the caller applies.
  (cd "$work" && GOBIN="$work/bin" GOFLAGS= GOWORK=off go install "github.com/hashicorp/terraform@v$TF_VERSION")
  mkdir -p "$(dirname "$tf")"
  mv "$work/bin/terraform" "$tf"
  echo "terraform $TF_VERSION: built in $(( $(date +%s) - start ))s -> $tf"
fi

if [ -x "$provider" ]; then
  echo "huaweicloud provider $PROVIDER_VERSION: cached at $provider"
else
  echo "huaweicloud provider $PROVIDER_VERSION: building from the Go module proxy (several minutes)..."
  start=$(date +%s)
  # `go install module@version` refuses it (its go.mod has a replace
  # directive), so download the module and build it as its own main module,
  # which applies its replace and its go.sum.
  src=$(cd "$work" && GOFLAGS= GOWORK=off go mod download -json "$PROVIDER_MODULE@v$PROVIDER_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  if [ -z "$src" ] || [ ! -f "$src/go.mod" ]; then
    echo "huaweicloud provider $PROVIDER_VERSION: module download failed" >&2
    exit 1
  fi
  (cd "$src" && GOFLAGS=-buildvcs=false GOWORK=off go build -trimpath -o "$work/provider" .)
  mkdir -p "$pdir"
  mv "$work/provider" "$provider"
  echo "huaweicloud provider $PROVIDER_VERSION: built in $(( $(date +%s) - start ))s -> $provider"
fi
