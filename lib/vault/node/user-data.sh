#!/bin/bash
set -euo pipefail
#@ First boot of a Vault node: user, Raft volume, config, units; Vault then starts (and retries) on its own.
#@ Each @@...@@ heredoc body is another file of this folder (or vault.json, the agent config) rendered at synth.
export AWS_DEFAULT_REGION=@@region@@
id vault >/dev/null 2>&1 || useradd --system --home-dir /etc/vault.d --shell /sbin/nologin vault
dev=@@data_device@@
for _ in $(seq 1 60); do
  [ -e "$dev" ] && break
  sleep 2
done
[ -e "$dev" ] || { echo "vault: Raft data volume $dev did not appear" >&2; exit 1; }
blkid "$dev" >/dev/null 2>&1 || mkfs.xfs -L vault-data "$dev"
install -d -m 0750 @@paths.data@@
grep -q '^LABEL=vault-data ' /etc/fstab || echo 'LABEL=vault-data @@paths.data@@ xfs defaults,nofail,nodev,nosuid,noexec 0 2' >> /etc/fstab
mountpoint -q @@paths.data@@ || mount @@paths.data@@
chown vault:vault @@paths.data@@
chmod 0750 @@paths.data@@
install -d -o root -g vault -m 0750 @@paths.configDir@@
install -d -o root -g root -m 0755 @@paths.scripts@@
install -d -o vault -g vault -m 0750 @@paths.logDir@@
cat > @@paths.config@@ <<'CELLKIT_EOF'
@@vault_json@@
CELLKIT_EOF
chmod 0640 @@paths.config@@
chgrp vault @@paths.config@@
cat > @@paths.scripts@@/vault-install <<'CELLKIT_EOF'
@@vault_install@@
CELLKIT_EOF
chmod 0755 @@paths.scripts@@/vault-install
cat > @@paths.scripts@@/vault-fetch-tls <<'CELLKIT_EOF'
@@vault_fetch_tls@@
CELLKIT_EOF
chmod 0755 @@paths.scripts@@/vault-fetch-tls
cat > @@paths.scripts@@/vault-tls-reload <<'CELLKIT_EOF'
@@vault_tls_reload@@
CELLKIT_EOF
chmod 0755 @@paths.scripts@@/vault-tls-reload
cat > @@paths.scripts@@/vault-snapshot <<'CELLKIT_EOF'
@@vault_snapshot@@
CELLKIT_EOF
chmod 0755 @@paths.scripts@@/vault-snapshot
cat > /etc/systemd/system/vault.service <<'CELLKIT_EOF'
@@vault_service@@
CELLKIT_EOF
chmod 0644 /etc/systemd/system/vault.service
cat > /etc/systemd/system/vault-snapshot.service <<'CELLKIT_EOF'
@@vault_snapshot_service@@
CELLKIT_EOF
chmod 0644 /etc/systemd/system/vault-snapshot.service
cat > /etc/systemd/system/vault-snapshot.timer <<'CELLKIT_EOF'
@@vault_snapshot_timer@@
CELLKIT_EOF
chmod 0644 /etc/systemd/system/vault-snapshot.timer
cat > /etc/systemd/system/vault-tls-reload.service <<'CELLKIT_EOF'
@@vault_tls_reload_service@@
CELLKIT_EOF
chmod 0644 /etc/systemd/system/vault-tls-reload.service
cat > /etc/systemd/system/vault-tls-reload.timer <<'CELLKIT_EOF'
@@vault_tls_reload_timer@@
CELLKIT_EOF
chmod 0644 /etc/systemd/system/vault-tls-reload.timer
cat > /etc/logrotate.d/vault <<'CELLKIT_EOF'
@@logrotate_vault@@
CELLKIT_EOF
chmod 0644 /etc/logrotate.d/vault
#@ Per-node values Vault reads from its environment (node id = instance id).
imds_token="$(curl --fail --silent -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')"
imds() { curl --fail --silent -H "X-aws-ec2-metadata-token: $imds_token" "http://169.254.169.254/latest/meta-data/$1"; }
instance_id="$(imds instance-id)"
private_ip="$(imds local-ipv4)"
printf 'VAULT_RAFT_NODE_ID=%s\nVAULT_API_ADDR=https://%s:@@api_port@@\nVAULT_CLUSTER_ADDR=https://%s:@@cluster_port@@\n' "$instance_id" "$private_ip" "$private_ip" > @@paths.env@@
chmod 0644 @@paths.env@@
cat > @@cloudwatch_agent_config@@ <<'CELLKIT_EOF'
@@cloudwatch_agent_json@@
CELLKIT_EOF
chmod 0644 @@cloudwatch_agent_config@@
cat > @@paths.scripts@@/node-extras <<'CELLKIT_EOF'
@@node_extras@@
CELLKIT_EOF
chmod 0755 @@paths.scripts@@/node-extras
cat > /etc/systemd/system/cellkit-node-extras.service <<'CELLKIT_EOF'
@@node_extras_service@@
CELLKIT_EOF
chmod 0644 /etc/systemd/system/cellkit-node-extras.service
systemctl daemon-reload
#@ Vault first: nothing optional runs in this script, so no optional failure can keep Vault from starting.
systemctl enable vault.service vault-snapshot.timer vault-tls-reload.timer
systemctl start --no-block vault.service vault-snapshot.timer vault-tls-reload.timer
systemctl enable cellkit-node-extras.service
systemctl start --no-block cellkit-node-extras.service
