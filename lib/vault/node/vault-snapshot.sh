#!/bin/bash
set -euo pipefail
#@ Runs on every node (vault-snapshot.timer); only the active node saves a Raft snapshot and uploads it.
@@vault_client_env@@
active="$(vault status -format=json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("is_self") is True)' || true)"
if [ "$active" != "True" ]; then
  echo "vault-snapshot: not the active node; nothing to do"
  exit 0
fi
snap="$(mktemp --suffix=.snap)"
VAULT_TOKEN="$(@@vault_login@@)"
export VAULT_TOKEN
trap 'vault token revoke -self >/dev/null 2>&1 || true; rm -f "$snap"' EXIT
vault operator raft snapshot save "$snap"
aws s3 cp --only-show-errors "$snap" @@snapshot_url@@
echo "vault-snapshot: uploaded"
