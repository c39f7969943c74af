#!/usr/bin/env bash
# Preflight of one delivery wave (runs in CodeBuild, in the checkout, after `npm ci`).
# Arguments: one "tenant:account:region" per tenant of the wave.
# For each tenant: assume the CDK lookup role that `cdk bootstrap --trust <delivery account>` created in
# the tenant's account and pinned region (read-only), then run `cellkit guard check` and
# `cellkit readiness` (against the gated assembly in cdk.out.cells) with those credentials. The first tenant that is not ready stops the wave, named.
set -euo pipefail
qualifier="${CDK_QUALIFIER:-hnb659fds}"
partition="${AWS_PARTITION:-aws}"

for entry in "$@"; do
  IFS=: read -r tenant account region <<<"$entry"
  role="arn:${partition}:iam::${account}:role/cdk-${qualifier}-lookup-role-${account}-${region}"
  if ! creds=$(aws sts assume-role --role-arn "$role" --role-session-name "cellkit-preflight-${tenant}" \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text 2>&1); then
    echo "cellkit preflight: tenant \"${tenant}\" (account ${account}, ${region}) is not ready for delivery:" >&2
    echo "  cannot assume ${role}: ${creds}" >&2
    echo "  fix: in that account run \`npx cdk bootstrap aws://${account}/${region} --trust <delivery account> --trust-for-lookup <delivery account> --cloudformation-execution-policies <policy ARN>\` (docs/delivery.md)" >&2
    exit 1
  fi
  read -r key secret token <<<"$creds"
  checks=("guard check --tenant ${tenant}" "readiness --tenant ${tenant} --cdk-out ${CELLS_ASSEMBLY:-cdk.out.cells}")
  for check in "${checks[@]}"; do
    # shellcheck disable=SC2086 # each check is a command line, split on purpose
    if ! AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_SESSION_TOKEN="$token" AWS_REGION="$region" \
      node bin/run-ts.js bin/cellkit.ts $check; then
      echo "cellkit preflight: tenant \"${tenant}\" (account ${account}, ${region}): \`cellkit ${check}\` failed (output above); the wave stops before any deploy." >&2
      exit 1
    fi
  done
  echo "cellkit preflight: tenant \"${tenant}\" ready"
done
