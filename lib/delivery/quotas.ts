// AWS's published quotas that bound one delivery pipeline. Each number is the default on the cited page;
// test/delivery/fleet-quotas.test.ts checks every synthesized delivery stack of a 1,000-tenant fleet against them.

/**
 * "Quotas in AWS CodePipeline" (https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html):
 * number of stages in a pipeline, minimum 2, maximum 50; number of actions in a stage, minimum 1, maximum 50;
 * maximum number of parallel actions in a stage, 50; total pipelines per Region in an account, 1,000.
 */
export const CODEPIPELINE = {
  maxStagesPerPipeline: 50,
  maxActionsPerStage: 50,
  maxPipelinesPerRegion: 1000,
} as const;

/**
 * "CloudFormation quotas" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html):
 * resources declared in a template, 500; template body size in an S3 object, 1 MB.
 */
export const CLOUDFORMATION = {
  maxResourcesPerStack: 500,
  maxTemplateBytes: 1024 * 1024,
} as const;

/**
 * "IAM and AWS STS quotas" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
 * inline policies of a role, 10,240 characters in aggregate (white space not counted); managed policy, 6,144.
 */
export const IAM = {
  maxRoleInlinePolicyChars: 10_240,
  maxManagedPolicyChars: 6_144,
} as const;

/**
 * CodePipeline actions a wave spends besides its tenants: a manual approval (waves with enterprise tenants),
 * the preflight and the record step. Each tenant's stack takes two actions (create the change set, execute it).
 */
export const ACTIONS_PER_TENANT = 2;
export const WAVE_OVERHEAD_ACTIONS = 3;

/** Stages every pipeline has before its waves: Source, Build (synth), UpdatePipeline (self-update), Assets. */
export const FIXED_STAGES = 4;

/**
 * Tenants one pipeline holds. Every tenant account adds an `sts:AssumeRole` resource (its CDK deploy and
 * file-publishing roles) to the pipeline's IAM policies; 30 accounts keep each policy well under the IAM
 * limit above (measured: see docs/delivery.md). Larger regions get several pipelines.
 */
export const MAX_TENANTS_PER_PIPELINE = 30;
