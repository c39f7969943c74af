import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, PolicyViolationBeta1 } from 'aws-cdk-lib';
import { DISABLED_CONTROLS, DisabledControl } from './disabled-controls';
import { TemplateJson, guardInput, ruleGroupInput, ruleResourceTypes } from './guard-input';
import { GateTemplate, TemplateClass, TemplateIdentity, templateClasses, templateFileStack } from './template-classes';

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


export interface ControlTowerGateOptions {
  /**
   * Controls the gate does not check.
   * @default DISABLED_CONTROLS
   */
  readonly disabled?: readonly DisabledControl[];
  /**
   * The identity of each cell stack of the synth (bin/app.ts passes the selected tenants'). Templates that
   * are the same but for their tenants' identity values are checked once, and each gets the findings.
   * @default none: every template is checked on its own
   */
  readonly identities?: readonly TemplateIdentity[];
}

/**
 * The synth gate's Control Tower check: cfn-guard (shipped inside the npm package) runs every bundled
 * Control Tower rule but the disabled ones over every template of the app. Findings are those of the
 * unmodified plugin (compared by test/compliance/control-tower.test.ts); three things keep its cost per
 * template down (cfn-guard 3.1.1 compiles a rule's regular expressions again for every value it compares:
 * ~0.3 s of CPU per 186-resource cell when run as shipped; docs/performance.md):
 * - Rules are grouped by the resource types they name, and each group runs on copies of the templates
 *   that keep only those types' resources (lib/compliance/guard-input.ts says why no verdict changes);
 *   groups whose types no template holds are skipped, as their rules would SKIP. A new kind of resource in
 *   a cell brings its rules in without a change here.
 * - Templates that differ only in their tenants' identity values (lib/compliance/template-classes.ts) are
 *   checked once, and each template of the class gets the findings at its own logical ids: a fleet of 500
 *   tenants of 24 shapes runs the rules on 24 templates. The Control Tower rules are the same for every
 *   AWS customer and read configuration, never names: a test runs the unmodified plugin on every template
 *   of a fleet with different identities and compares.
 * - Each violation is marked `severity: 'error'`: the plugin leaves severity unset, and aws-cdk-lib
 *   recomputes a report's success from severities as soon as one of its violations is acknowledged,
 *   so a single `Validations.of(x).acknowledge()` of a Control Tower rule would otherwise let every
 *   other Control Tower violation pass the synth.
 */
export function controlTowerValidator(options: ControlTowerGateOptions = {}): IPolicyValidationPluginBeta1 {
  const disabled = options.disabled ?? DISABLED_CONTROLS;
  const off = new Set(disabled.map((d) => ruleFileName(d.control)));
  const rules = bundledRulePaths(CONTROL_TOWER_RULES_DIR);
  const known = new Set(rules.map((f) => path.basename(f, '.guard')));
  const unknown = disabled.filter((d) => !known.has(ruleFileName(d.control))).map((d) => d.control);
  if (unknown.length) {
    throw new Error(`Control Tower controls to disable are not in @cdklabs/cdk-validator-cfnguard's bundled rules: ${unknown.join(', ')} (lib/compliance/disabled-controls.ts)`);
  }
  const groups = new Map<string, RuleGroup>();
  for (const file of rules.filter((f) => !off.has(path.basename(f, '.guard')))) {
    const types = ruleResourceTypes(fs.readFileSync(file, 'utf8')).sort();
    const key = types.join(' ');
    if (!groups.has(key)) groups.set(key, { types, files: [] });
    groups.get(key)!.files.push(file);
  }
  return new ControlTowerGate([...groups.values()], new Map((options.identities ?? []).map((i) => [i.stackName, i])));
}

interface RuleGroup {
  readonly types: string[];
  readonly files: string[];
}

class ControlTowerGate implements IPolicyValidationPluginBeta1 {
  // The plugin's own name, so reports and acknowledgment ids read as `cdk-validator-cfnguard::<rule>`.
  readonly name = 'cdk-validator-cfnguard';
  readonly version = (JSON.parse(fs.readFileSync(path.join(PLUGIN_DIR, 'package.json'), 'utf8')) as { version: string }).version;

  constructor(private readonly groups: readonly RuleGroup[], private readonly identities: ReadonlyMap<string, TemplateIdentity>) {}

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const identities = this.identities;
    // One template at a time: only each class's first template stays in memory.
    function* templates(): Generator<GateTemplate> {
      for (const file of context.templatePaths) {
        yield { file, input: guardInput(JSON.parse(fs.readFileSync(file, 'utf8')) as TemplateJson), identity: identities.get(templateFileStack(file)) };
      }
    }
    const classes = templateClasses(templates());
    const checked = this.check(classes.map((c) => c.representative), context);
    const byRepresentative = new Map(classes.map((c) => [c.representative.file, c]));
    const violations = checked.map((v) => ({
      ...v,
      violatingResources: v.violatingResources.flatMap((r) => forEachMember(r, byRepresentative.get(r.templatePath))),
    }));
    return { success: violations.length === 0, violations };
  }

  /** Runs every rule group on the templates, each group on its own trimmed copies, in one cfn-guard process per group. */
  private check(templates: readonly GateTemplate[], context: IPolicyValidationContextBeta1): PolicyViolationBeta1[] {
    // Groups whose named types meet the templates' types in the same set share one cfn-guard run.
    const present = new Set(templates.flatMap((t) => Object.values(t.input.Resources ?? {}).flatMap((r) => (r.Type ? [r.Type.toLowerCase()] : []))));
    const runs = new Map<string, RuleGroup>();
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
        const original = new Map<string, string>();
        templates.forEach((t, j) => {
          const input = ruleGroupInput(t.input, group.types);
          if (!input) return;
          // Same file name as the synthesized template, so findings read as its.
          const dir = path.join(scratch, `${i}-${j}`);
          fs.mkdirSync(dir);
          const copy = path.join(dir, path.basename(t.file));
          fs.writeFileSync(copy, JSON.stringify(input));
          original.set(copy, t.file);
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
      return violations;
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
}

type ViolatingResource = PolicyViolationBeta1['violatingResources'][number];

/** A finding on a class's representative, repeated for every template of the class at its own logical id. */
function forEachMember(resource: ViolatingResource, cls: TemplateClass | undefined): ViolatingResource[] {
  if (!cls || cls.members.length === 1) return [resource];
  const position = cls.members[0].logicalIds.indexOf(resource.resourceLogicalId);
  if (position < 0) throw new Error(`Control Tower gate: finding on ${resource.resourceLogicalId}, which ${resource.templatePath} does not hold`);
  const prefix = `/Resources/${resource.resourceLogicalId}`;
  return cls.members.map((m) => {
    const id = m.logicalIds[position];
    const locations = resource.locations.map((l) => (l === prefix || l.startsWith(`${prefix}/`) ? `/Resources/${id}${l.slice(prefix.length)}` : l));
    return { ...resource, templatePath: m.file, resourceLogicalId: id, locations };
  });
}
