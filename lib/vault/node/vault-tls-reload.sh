#!/bin/bash
set -euo pipefail
#@ Runs hourly (vault-tls-reload.timer): when the TLS secret's certificate differs from the installed one,
#@ `systemctl reload vault` re-fetches the files (ExecReload) and sends SIGHUP, on which Vault reloads its
#@ listener certificate and key without dropping the listener (Vault docs, "tcp listener"; HashiCorp support
#@ article "SIGHUP behavior in Vault"). No restart, no seal, no downtime.
export AWS_DEFAULT_REGION=@@region@@
umask 077
#@ Before Vault has started once, the unit's ExecStartPre installs the files; nothing to compare yet.
if ! systemctl is-active --quiet vault.service; then
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
aws secretsmanager get-secret-value --secret-id @@tls_secret_arn@@ --query SecretString --output text > "$work/secret.json"
state="$(python3 - "$work/secret.json" @@paths.cert@@ <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
new = (doc.get("certificate") or "").strip() + "\n"
if "-----BEGIN" not in new:
    sys.exit("vault-tls-reload: the TLS secret has no PEM certificate; keeping the installed one")
try:
    old = open(sys.argv[2]).read()
except FileNotFoundError:
    old = ""
print("same" if new == old else "changed")
PY
)"
if [ "$state" = same ]; then
  exit 0
fi
echo "vault-tls-reload: the TLS secret holds a new certificate; reloading Vault (SIGHUP)"
systemctl reload vault.service
