#!/usr/bin/env bash
# Record of one delivery wave (runs in CodeBuild after the wave deployed).
# Arguments: one "tenant:account:region:template" per tenant, where template is the synthesized template's
# path inside the pipeline's cloud assembly (input directory cdk.out). Evidence reports are in evidence/.
# For each tenant: assume the CDK lookup role (read-only), fetch the deployed template of Cell-<tenant>,
# and write deployments/<tenant>.json: the deployed template's hash next to its evidence report's.
set -euo pipefail
qualifier="${CDK_QUALIFIER:-hnb659fds}"
partition="${AWS_PARTITION:-aws}"
mkdir -p deployments deployed

for entry in "$@"; do
  IFS=: read -r tenant account region template <<<"$entry"
  role="arn:${partition}:iam::${account}:role/cdk-${qualifier}-lookup-role-${account}-${region}"
  creds=$(aws sts assume-role --role-arn "$role" --role-session-name "cellkit-record-${tenant}" \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
  read -r key secret token <<<"$creds"
  AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_SESSION_TOKEN="$token" \
    aws cloudformation get-template --region "$region" --stack-name "Cell-${tenant}" --template-stage Original \
    --query TemplateBody --output json >"deployed/${tenant}.json"
  node bin/run-ts.js bin/cellkit.ts delivery record --tenant "$tenant" --account "$account" --region "$region" \
    --synthesized "cdk.out/${template}" --deployed "deployed/${tenant}.json" --evidence "evidence/${tenant}.json" \
    --execution "${PIPELINE_EXECUTION_ID:-unknown}" --out "deployments/${tenant}.json"
done
