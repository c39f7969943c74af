import * as path from 'path';
import { Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { CellStage } from './cell-stage';
import { CDK_QUALIFIER, DeliveryConfig, GATED_ASSEMBLY } from './delivery-config';
import { PlannedPipeline, PlannedWave } from './waves';


export interface DeliveryStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  readonly config: DeliveryConfig;
  readonly plan: PlannedPipeline;
  readonly cellkitVersion: string;
  /** The gated synth's cloud assembly (`-c pipeline=<name>`), whose templates the stages deploy. */
  readonly gatedAssembly: string;
}

/**
 * One delivery pipeline (CDK Pipelines on CodePipeline and CodeBuild) in the delivery account: source from the
 * company's repository, the same offline synth, nag gate and evidence as CI, self-update, then the planned waves.
 * Every wave runs a preflight of each of its tenants first (and waits for an approval when it holds enterprise
 * tenants), deploys its tenants in parallel, and records each deployed template's hash next to its evidence.
 */
export class DeliveryStack extends Stack {
  readonly pipeline: pipelines.CodePipeline;
  readonly stages: CellStage[] = [];

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    const { config, plan } = props;
    super(scope, id, {
      ...props,
      stackName: plan.name,
      env: { account: config.account, region: config.region },
      description: `cellkit ${props.cellkitVersion}: delivery pipeline ${plan.name} for ${plan.waves.reduce((n, w) => n + w.tenants.length, 0)} tenants pinned to ${plan.region}`,
    });
    const source = pipelines.CodePipelineSource.connection(config.source.repository, config.source.branch, { connectionArn: config.source.connectionArn });
    const synth = new pipelines.CodeBuildStep('Synth', {
      input: source,
      installCommands: ['npm ci'],
      // The same gate as CI, for this pipeline's tenants: offline synth with the nag packs, then the evidence
      // reports; then the pipeline's own assembly (cells as stages, byte-identical to the gated templates).
      commands: [
        `npx cdk synth -q -c pipeline=${plan.name} -o ${GATED_ASSEMBLY}`,
        `node bin/run-ts.js bin/cellkit.ts evidence --cdk-out ${GATED_ASSEMBLY} --out evidence`,
        `npx cdk synth -q -c delivery=${plan.name} -c gated=${GATED_ASSEMBLY}`,
      ],
      env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
      primaryOutputDirectory: 'cdk.out',
    });
    const evidence = synth.addOutputDirectory('evidence');
    const gated = synth.addOutputDirectory(GATED_ASSEMBLY);
    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: plan.name,
      synth,
      crossAccountKeys: true,
      enableKeyRotation: true,
      selfMutation: true,
      // One asset publishing action per asset type instead of one per asset: a stage holds 50 actions at most.
      publishAssetsInParallel: false,
      useChangeSets: true,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
        // CodeBuild standard 7.0 provides Node.js 22 through runtime-versions ("Docker images provided by CodeBuild").
        partialBuildSpec: codebuild.BuildSpec.fromObject({ phases: { install: { 'runtime-versions': { nodejs: 22 } } } }),
      },
    });
    for (const wave of plan.waves) this.addWave(wave, source, synth, { evidence, gated }, props);
  }

  private addWave(
    wave: PlannedWave,
    source: pipelines.IFileSetProducer,
    synth: pipelines.CodeBuildStep,
    outputs: { evidence: pipelines.FileSet; gated: pipelines.FileSet },
    props: DeliveryStackProps,
  ): void {
    const preflight = new pipelines.CodeBuildStep('Preflight', {
      input: source,
      additionalInputs: { [GATED_ASSEMBLY]: outputs.gated },
      installCommands: ['npm ci'],
      commands: [`bash lib/delivery/scripts/preflight.sh ${wave.tenants.map((t) => `${t.id}:${t.spec.account}:${t.pin.region}`).join(' ')}`],
      rolePolicyStatements: [lookupRoles(wave)],
    });
    const pre: pipelines.Step[] = [preflight];
    if (wave.approval) {
      // Approval first, then the preflight, so the checks see the accounts as they are right before the deploy.
      const approval = new pipelines.ManualApprovalStep('ApproveEnterprise', {
        comment: `${wave.name} deploys enterprise tenants: ${wave.tenants.map((t) => t.id).join(', ')}. Approve after the earlier waves are healthy.`,
      });
      preflight.addStepDependency(approval);
      pre.unshift(approval);
    }
    const stages = wave.tenants.map((tenant) => new CellStage(this, `Tenant-${tenant.id}`, { tenant, gatedAssembly: props.gatedAssembly }));
    this.stages.push(...stages);
    const record = new pipelines.CodeBuildStep('Record', {
      input: source,
      additionalInputs: { 'cdk.out': synth, evidence: outputs.evidence },
      installCommands: ['npm ci'],
      commands: [`bash lib/delivery/scripts/record.sh ${stages.map((s) => `${s.tenantId}:${s.cell.account}:${s.cell.region}:${path.join(path.basename(s.outdir), s.cell.templateFile)}`).join(' ')}`],
      env: { PIPELINE_EXECUTION_ID: '#{codepipeline.PipelineExecutionId}' },
      rolePolicyStatements: [lookupRoles(wave)],
      primaryOutputDirectory: 'deployments',
    });
    const w = this.pipeline.addWave(wave.name, { pre, post: [record] });
    for (const stage of stages) w.addStage(stage);
  }
}

/** The preflight and record steps may assume only the read-only CDK lookup roles of their wave's tenants. */
function lookupRoles(wave: PlannedWave): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['sts:AssumeRole'],
    resources: wave.tenants.map((t) => `arn:aws:iam::${t.spec.account}:role/cdk-${CDK_QUALIFIER}-lookup-role-${t.spec.account}-${t.pin.region}`),
  });
}

