#!/bin/bash
set -euo pipefail
#@ Installs the pinned Vault, refusing any zip whose SHA-256 differs. Idempotent (ExecStartPre of vault.service).
#@ Lines starting with #@ are template comments: lib/vault/node-files.ts drops them; @@name@@ is filled at synth.
export AWS_DEFAULT_REGION=@@region@@
version=@@version@@
sha256=@@sha256@@
zip=@@zip@@
if [ -x @@paths.bin@@ ] && @@paths.bin@@ version | grep -qF "Vault v${version} "; then
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
#@ curl from releases.hashicorp.com (egress nat) or aws s3 cp from the artifact bucket (egress none).
@@fetch@@
if ! echo "${sha256}  $work/$zip" | sha256sum --check --strict --status; then
  echo "vault-install: SHA-256 of $zip is not the pinned ${sha256}; refusing to install it" >&2
  exit 1
fi
python3 -m zipfile -e "$work/$zip" "$work/unpacked"
install -o root -g root -m 0755 "$work/unpacked/vault" @@paths.bin@@
