// A generated registry of 1,000 tenants (the benchmark's generator) gets delivery pipelines that fit every
// quota AWS publishes for them; each limit is cited in lib/delivery/quotas.ts.
import { CLOUDFORMATION, CODEPIPELINE, IAM } from '../../lib/delivery/quotas';
import { SynthesizedDelivery, synthesizeFleetDelivery } from './fleet-fixture';

type Resource = { Type: string; Properties?: Record<string, any> };

let fleet: SynthesizedDelivery;
beforeAll(() => {
  fleet = synthesizeFleetDelivery(1000);
}, 600_000);

const resources = (name: string): Resource[] => Object.values(fleet.templates.get(name)!.Resources);

describe('delivery of 1,000 tenants', () => {
  test('every tenant is in exactly one wave of one pipeline; no split was chosen by hand', () => {
    const ids = fleet.plan.flatMap((p) => p.waves.flatMap((w) => w.tenants.map((t) => t.id)));
    expect(ids).toHaveLength(1000);
    expect(new Set(ids).size).toBe(1000);
    expect(fleet.plan.length).toBeLessThanOrEqual(CODEPIPELINE.maxPipelinesPerRegion);
  });

  test(`each pipeline has at most ${CODEPIPELINE.maxStagesPerPipeline} stages and each stage at most ${CODEPIPELINE.maxActionsPerStage} actions (Quotas in AWS CodePipeline)`, () => {
    for (const p of fleet.plan) {
      const pipeline = resources(p.name).find((r) => r.Type === 'AWS::CodePipeline::Pipeline')!;
      const stages = pipeline.Properties!.Stages as { Name: string; Actions: unknown[] }[];
      expect(stages.length).toBe(4 + p.waves.length);
      expect(stages.length).toBeLessThanOrEqual(CODEPIPELINE.maxStagesPerPipeline);
      for (const s of stages) expect(s.Actions.length).toBeLessThanOrEqual(CODEPIPELINE.maxActionsPerStage);
    }
  });

  test(`each delivery stack has at most ${CLOUDFORMATION.maxResourcesPerStack} resources and a template under 1 MB (CloudFormation quotas)`, () => {
    for (const p of fleet.plan) {
      expect(resources(p.name).length).toBeLessThanOrEqual(CLOUDFORMATION.maxResourcesPerStack);
      expect(fleet.templateBytes.get(p.name)!).toBeLessThan(CLOUDFORMATION.maxTemplateBytes);
    }
  });

  test(`each role's inline policies stay under ${IAM.maxRoleInlinePolicyChars} characters (IAM and AWS STS quotas)`, () => {
    // Counted on the template's JSON without white space, with intrinsic functions unresolved: an
    // upper bound, since a resolved ARN is shorter than the Fn::Join that builds it.
    for (const p of fleet.plan) {
      const perRole = new Map<string, number>();
      for (const r of resources(p.name).filter((x) => x.Type === 'AWS::IAM::Policy')) {
        for (const role of r.Properties!.Roles as { Ref: string }[]) {
          perRole.set(role.Ref, (perRole.get(role.Ref) ?? 0) + JSON.stringify(r.Properties!.PolicyDocument).length);
        }
      }
      for (const [role, chars] of perRole) {
        expect({ stack: p.name, role, chars: Math.min(chars, IAM.maxRoleInlinePolicyChars) }).toEqual({ stack: p.name, role, chars });
      }
    }
  });
});
