#!/bin/bash
set -uo pipefail
#@ Installs and starts the optional node software (lib/vault/node-extras.ts OPTIONAL_NODE_PACKAGES). Not `set -e`:
#@ every step reports its own failure and the others still run; the exit status says whether all of them
#@ worked. Safe to run again (each boot).
status=0
warn() { echo "cellkit-node-extras: $*" >&2; }
install_package() {
  rpm -q "$1" >/dev/null 2>&1 && return 0
  local attempt
  for attempt in 1 2 3 4 5; do
    dnf install -y "$1" && return 0
    warn "dnf install $1 failed (attempt $attempt of 5)"
    sleep $((attempt * 20))
  done
  return 1
}
if ! install_package amazon-cloudwatch-agent; then
  warn 'amazon-cloudwatch-agent is not installed: server and audit logs stay on the node (/var/log/vault) and reach CloudWatch only once the agent runs; Vault runs without it'
  status=1
fi
if ! install_package logrotate; then
  warn 'logrotate is not installed: the file audit log is not rotated; the node keeps writing it to its root volume; Vault runs without it'
  status=1
fi
if rpm -q amazon-cloudwatch-agent >/dev/null 2>&1; then
  /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:@@cloudwatch_agent_config@@ || { warn 'the CloudWatch agent did not start'; status=1; }
fi
exit "$status"
