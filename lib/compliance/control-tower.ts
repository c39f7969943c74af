import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, PolicyViolationBeta1 } from 'aws-cdk-lib';

/**
 * A Control Tower proactive control that the synth gate does not check, and why. The bundled rules
 * cannot be suppressed per resource, so a control is either on for every cell or off for every cell:
 * `coveredBy` names the per-resource cdk-nag rules (and the cellkit test) that still hold wherever the
 * control matters.
 */
export interface DisabledControl {
  /** Control Tower control id, e.g. `CT.LAMBDA.PR.3`. */
  readonly control: string;
  /** Why a reviewer can accept the control being off. */
  readonly reason: string;
  /** What still enforces the control's intent, resource by resource. */
  readonly coveredBy: string;
}

/**
 * The one list of Control Tower controls off in the synth gate; read by the gate, `cellkit evidence`
 * and docs/compliance.md. An account whose Control Tower enables one of these controls refuses the
 * resource named in the reason at deploy time: see docs/compliance.md.
 */
export const DISABLED_CONTROLS: readonly DisabledControl[] = [
  {
    control: 'CT.LAMBDA.PR.3',
    reason:
      'Two functions run outside the cell VPC, both read-only towards tenant data: the region guard, which must answer before the VPC (or any other cell resource) exists, and calls only list/describe APIs in the other allowed regions; and aws-cdk-lib\'s handler for `restrictDefaultSecurityGroup`, a CDK-managed provider that cannot be placed in a VPC and only removes the rules of this VPC\'s default security group.',
    coveredBy:
      'cdk-nag `HIPAA.Security-LambdaInsideVPC`, `NIST.800.53.R5-LambdaInsideVPC`, `PCI.DSS.321-LambdaInsideVPC` on every function, acknowledged on the region guard only; test/compliance/control-tower.test.ts checks that every other AWS::Lambda::Function of every cell shape has a VpcConfig.',
  },
  {
    control: 'CT.RDS.PR.1',
    reason:
      'Dev cells run a single-AZ database by the sizing the tenant chose (`sizing: dev`): it halves the database cost and a dev cell promises no AZ-failure availability. Every prod cell is Multi-AZ.',
    coveredBy:
      'cdk-nag `HIPAA.Security-RDSMultiAZSupport`, `NIST.800.53.R5-RDSMultiAZSupport`, `PCI.DSS.321-RDSMultiAZSupport` on every instance, acknowledged only when the sizing is dev; test/compliance/control-tower.test.ts checks that prod cells set MultiAZ.',
  },
  {
    control: 'CT.S3.PR.2',
    reason:
      'The Vault snapshot bucket has no S3 server access logs: its objects are SSE-KMS with the data key and bucket keys off, so every read is a KMS Decrypt recorded by CloudTrail with its caller, and Object Lock keeps every version for the retention. A log bucket in the cell cannot meet the controls itself: CT.S3.PR.9 asks every bucket for Object Lock, and a bucket with Object Lock cannot receive server access logs (S3 User Guide, "Configuring S3 Object Lock"); it would also have to log to itself (CT.S3.PR.2), which the S3 User Guide advises against.',
    coveredBy:
      'cdk-nag `AwsSolutions-S1` and `*-S3BucketLoggingEnabled` on every bucket, acknowledged on the Vault snapshot bucket only; test/compliance/control-tower.test.ts checks that no other bucket acknowledges them.',
  },
  {
    control: 'CT.RDS.PR.13',
    reason:
      'The database\'s deletion protection is turned on right after it is created, by `Custom::CellkitDeletionProtection`, not in the template: a template with DeletionProtection true cannot roll back a failed first create (CloudFormation cannot delete a protected instance, the stack ends in ROLLBACK_FAILED and blocks the retry). The custom resource is `RetainExceptOnCreate`, so its Delete (protection off) runs only when the first create rolls back (docs/deploy-rollback.md).',
    coveredBy:
      'cdk-nag `AwsSolutions-RDS10`, `HIPAA.Security-` and `NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled` on every instance, acknowledged only on the database that `Custom::CellkitDeletionProtection` protects (test/rollback/deletion-protection.test.ts); `cellkit evidence` (`retention-90-days`) fails a cell whose database is protected neither in the template nor by that custom resource.',
  },
  {
    control: 'CT.ELASTICLOADBALANCING.PR.5',
    reason:
      'The Vault NLB\'s deletion protection is turned on right after create by `Custom::CellkitDeletionProtection`, for the same reason as CT.RDS.PR.13: a protected load balancer cannot be deleted by a create rollback (docs/deploy-rollback.md).',
    coveredBy:
      'cdk-nag `*-ELBDeletionProtectionEnabled` on every load balancer, acknowledged only on the Vault NLB that `Custom::CellkitDeletionProtection` protects; test/rollback/deletion-protection.test.ts checks every cell shape turns protection on for it right after create.',
  },
  {
    control: 'CT.ELASTICLOADBALANCING.PR.6',
    reason:
      'The Vault NLB has only a TCP listener (TLS ends on Vault), and NLB access logs are written for TLS listeners only (Elastic Load Balancing, "Access logs for your Network Load Balancer"): there would be nothing to log. Vault\'s two audit devices record every request and the VPC flow logs every connection.',
    coveredBy:
      'cdk-nag `AwsSolutions-ELB2` and `*-ELBLoggingEnabled` on every load balancer, acknowledged on the Vault NLB only; test/compliance/control-tower.test.ts checks that no other load balancer acknowledges them.',
  },
];

const PLUGIN_DIR = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));

/** Folder of the Control Tower rules bundled in `@cdklabs/cdk-validator-cfnguard` (one `.guard` file per control). */
export const CONTROL_TOWER_RULES_DIR = path.join(PLUGIN_DIR, 'rules', 'control-tower', 'cfn-guard');

/** `CT.LAMBDA.PR.3` -> `ct-lambda-pr-3`, the rule file name the plugin's `disabledRules` takes. */
export function ruleFileName(control: string): string {
  return control.toLowerCase().replace(/\./g, '-');
}

/** Every bundled rule file (absolute paths). */
function bundledRulePaths(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.guard'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Every bundled rule file name (without `.guard`). */
export function bundledRuleFiles(dir = CONTROL_TOWER_RULES_DIR): string[] {
  return bundledRulePaths(dir).map((f) => path.basename(f, '.guard'));
}

/** The resource types a rule file names in its string literals (lower case); empty when it names none. */
export function ruleResourceTypes(ruleText: string): string[] {
  return [...new Set([...ruleText.matchAll(/["'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["']/g)].map((m) => m[1].toLowerCase()))];
}

/**
 * The synth gate's Control Tower check: cfn-guard (shipped inside the npm package) runs every bundled
 * Control Tower rule but those in `disabled` over every template of the app.
 *
 * Two adjustments to the plugin as shipped:
 * - Speed. cfn-guard's cost grows with rules x template size (~20 ms per rule file on a 180 KB cell
 *   template), and each rule reads only the resource types it names (its `Type ==` constants, which
 *   also cover the resources it follows through local references). So the rules are grouped by the
 *   types they name, and each group runs on copies of the templates that keep only those types' resources
 *   (same file names and logical IDs, so findings still point at the synthesized template and its
 *   constructs); groups whose types no template holds are skipped, as their rules would SKIP. A new kind
 *   of resource in a cell brings its rules in without a change here. The bundled rules resolve local
 *   references only to types they name, and an unresolved one fails its check rather than passing; a
 *   test compares the gate with the unmodified plugin on a deliberately broken cell. Resources the kept
 *   ones refer to are kept too (`withReferenced`): without them a rule that follows a reference (CT.LAMBDA.PR.2's
 *   SourceArn) hit an unresolved value the plugin cannot read, and the RDS and ELB deletion-protection rules
 *   passed where the unmodified plugin fails.
 * - Each violation is marked `severity: 'error'`: the plugin leaves severity unset, and aws-cdk-lib
 *   recomputes a report's success from severities as soon as one of its violations is acknowledged,
 *   so a single `Validations.of(x).acknowledge()` of a Control Tower rule would otherwise let every
 *   other Control Tower violation pass the synth.
 */
export function controlTowerValidator(disabled: readonly DisabledControl[] = DISABLED_CONTROLS): IPolicyValidationPluginBeta1 {
  const off = new Set(disabled.map((d) => ruleFileName(d.control)));
  const rules = bundledRulePaths(CONTROL_TOWER_RULES_DIR);
  const known = new Set(rules.map((f) => path.basename(f, '.guard')));
  const unknown = disabled.filter((d) => !known.has(ruleFileName(d.control))).map((d) => d.control);
  if (unknown.length) {
    throw new Error(`Control Tower controls to disable are not in @cdklabs/cdk-validator-cfnguard's bundled rules: ${unknown.join(', ')} (lib/compliance/control-tower.ts)`);
  }
  const groups = new Map<string, { types: string[]; files: string[] }>();
  for (const file of rules.filter((f) => !off.has(path.basename(f, '.guard')))) {
    const types = ruleResourceTypes(fs.readFileSync(file, 'utf8')).sort();
    const key = types.join(' ');
    if (!groups.has(key)) groups.set(key, { types, files: [] });
    groups.get(key)!.files.push(file);
  }
  return new ControlTowerGate([...groups.values()]);
}

type Template = { Resources?: Record<string, { Type?: string; Metadata?: unknown }> } & Record<string, unknown>;

/** `ids` plus every resource they refer to through Ref, Fn::GetAtt or Fn::Sub, transitively. */
function withReferenced(ids: readonly string[], resources: Record<string, unknown>): string[] {
  const seen = new Set(ids);
  const queue = [...ids];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'string') for (const m of v.matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) add(m[1]);
      return;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') add(o.Ref);
    const getAtt = o['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') add(getAtt[0]);
    Object.values(o).forEach(visit);
  };
  const add = (id: string) => {
    if (Object.prototype.hasOwnProperty.call(resources, id) && !seen.has(id)) {
      seen.add(id);
      queue.push(id);
    }
  };
  while (queue.length) visit(resources[queue.shift()!]);
  return Object.keys(resources).filter((id) => seen.has(id));
}

class ControlTowerGate implements IPolicyValidationPluginBeta1 {
  // The plugin's own name, so reports and acknowledgment ids read as `cdk-validator-cfnguard::<rule>`.
  readonly name = 'cdk-validator-cfnguard';
  readonly version = (JSON.parse(fs.readFileSync(path.join(PLUGIN_DIR, 'package.json'), 'utf8')) as { version: string }).version;

  constructor(private readonly groups: readonly { types: readonly string[]; files: readonly string[] }[]) {}

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const templates = context.templatePaths.map((file) => ({ file, template: JSON.parse(fs.readFileSync(file, 'utf8')) as Template }));
    // Rules whose named types meet the templates' types in the same set share one cfn-guard run.
    const present = new Set(templates.flatMap(({ template }) =>
      Object.values(template.Resources ?? {}).flatMap((r) => (r.Type ? [r.Type.toLowerCase()] : []))));
    const runs = new Map<string, { types: string[]; files: string[] }>();
    for (const group of this.groups) {
      const types = group.types.filter((t) => present.has(t));
      if (group.types.length > 0 && types.length === 0) continue;
      const key = group.types.length === 0 ? '*' : types.join(' ');
      if (!runs.has(key)) runs.set(key, { types: group.types.length === 0 ? [] : types, files: [] });
      runs.get(key)!.files.push(...group.files);
    }
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-ct-'));
    try {
      const violations: PolicyViolationBeta1[] = [];
      [...runs.values()].forEach((group, i) => {
        // A rule naming no type gets the whole template.
        const keep = (type?: string) => group.types.length === 0 || (type !== undefined && group.types.includes(type.toLowerCase()));
        const original = new Map<string, string>();
        templates.forEach(({ file, template }, j) => {
          // Resource Metadata (CDK paths, nag acknowledgments with their reasons) and Outputs are no rule's input.
          // Resources the kept ones refer to stay too: rules resolve local references (CT.LAMBDA.PR.2 accepts a
          // SourceArn that is a valid local reference), and cfn-guard reports an unresolvable one in a shape the
          // plugin cannot read.
          const all = template.Resources ?? {};
          const ids = withReferenced(Object.keys(all).filter((id) => keep(all[id].Type)), all);
          const resources = ids.map((id) => { const { Metadata: _, ...r } = all[id]; return [id, r] as const; });
          if (resources.length === 0) return;
          const dir = path.join(scratch, `${i}-${j}`);
          fs.mkdirSync(dir);
          const copy = path.join(dir, path.basename(file));
          const { Outputs: _outputs, Metadata: _metadata, ...rest } = template;
          fs.writeFileSync(copy, JSON.stringify({ ...rest, Resources: Object.fromEntries(resources) }));
          original.set(copy, file);
        });
        if (original.size === 0) return;
        // cfn-guard reports on every template in one process: allow well over the 1 MiB default output for a fleet.
        const guard = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [...group.files], maxBuffer: 256 * 1024 * 1024 });
        const report = guard.validate({ ...context, templatePaths: [...original.keys()] });
        for (const v of report.violations) {
          violations.push({
            ...v,
            severity: v.severity ?? 'error',
            violatingResources: v.violatingResources.map((r) => ({ ...r, templatePath: original.get(r.templatePath) ?? r.templatePath })),
          });
        }
      });
      return { success: violations.length === 0, violations };
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
}
