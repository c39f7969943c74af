#!/bin/bash
set -euo pipefail
#@ Writes the node's TLS files from Secrets Manager; fails (and vault.service retries) until the secret has a value.
export AWS_DEFAULT_REGION=@@region@@
umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
aws secretsmanager get-secret-value --secret-id @@tls_secret_arn@@ --query SecretString --output text > "$work/secret.json"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
doc = json.load(open(work + "/secret.json"))
for field, name in (("certificate", "vault.crt"), ("private_key", "vault.key"), ("ca", "ca.crt")):
    value = doc.get(field) or ""
    if "-----BEGIN" not in value:
        sys.exit("vault-tls: field %r of the TLS secret is missing or not PEM" % field)
    with open(work + "/" + name, "w") as f:
        f.write(value.strip() + "\n")
PY
install -d -o root -g vault -m 0750 @@paths.tlsDir@@
install -o root -g vault -m 0644 "$work/vault.crt" @@paths.cert@@
install -o root -g vault -m 0640 "$work/vault.key" @@paths.key@@
install -o root -g vault -m 0644 "$work/ca.crt" @@paths.ca@@
