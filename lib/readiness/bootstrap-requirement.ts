// What the synthesized cell needs from `cdk bootstrap`, read from the cloud assembly CDK wrote
// (cdk.out/manifest.json and the stack's template), not hard-coded: a newer aws-cdk-lib that needs a
// newer bootstrap raises the requirement here by itself.
import * as fs from 'fs';
import * as path from 'path';

export interface BootstrapRequirement {
  /** The lowest bootstrap stack version that can deploy the stack and publish its assets. */
  readonly version: number;
  /** The SSM parameter holding the deployed bootstrap version, e.g. /cdk-bootstrap/hnb659fds/version. */
  readonly ssmParameter: string;
  /** Where each requirement came from, for the message. */
  readonly sources: readonly string[];
}

interface Artifact {
  readonly type?: string;
  readonly environment?: string;
  readonly properties?: {
    readonly templateFile?: string;
    readonly requiresBootstrapStackVersion?: number;
    readonly bootstrapStackVersionSsmParameter?: string;
    readonly additionalDependencies?: readonly string[];
    readonly lookupRole?: { readonly requiresBootstrapStackVersion?: number; readonly bootstrapStackVersionSsmParameter?: string };
  };
}

/** Thrown when the assembly cannot answer; the message says what to run. */
export class AssemblyError extends Error {}

/**
 * Reads the bootstrap requirement of `stackName` from the assembly in `cdkOut`: the stack artifact's,
 * its lookup role's and its asset manifests' `requiresBootstrapStackVersion`, and the template's `CheckBootstrapVersion`
 * rule, which refuses the versions it lists (CloudFormation evaluates it on deploy).
 * @param environment the expected `aws://<account>/<region>`: an assembly synthesized for another one is stale
 */
export function bootstrapRequirement(cdkOut: string, stackName: string, environment: string): BootstrapRequirement {
  const manifestFile = path.join(cdkOut, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new AssemblyError(`no cloud assembly at ${manifestFile}`);
  const artifacts = (JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, Artifact> }).artifacts ?? {};
  const stack = artifacts[stackName];
  if (stack?.type !== 'aws:cloudformation:stack') throw new AssemblyError(`${manifestFile} holds no stack ${stackName}`);
  if (stack.environment !== environment) throw new AssemblyError(`${manifestFile} has ${stackName} for ${stack.environment}, but the tenant is ${environment} (stale cdk.out)`);

  const versions: { version: number; source: string; parameter?: string }[] = [];
  const add = (version: number | undefined, source: string, parameter?: string) => {
    if (version !== undefined) versions.push({ version, source, parameter });
  };
  add(stack.properties?.requiresBootstrapStackVersion, `${stackName} deployment`, stack.properties?.bootstrapStackVersionSsmParameter);
  // The CLI also reads the deployed stack with the lookup role; counting it asks for no more than any
  // bootstrap of the last years has, and spares deciding when the CLI can do without it.
  const lookup = stack.properties?.lookupRole;
  add(lookup?.requiresBootstrapStackVersion, `${stackName} lookup role`, lookup?.bootstrapStackVersionSsmParameter);
  for (const dep of stack.properties?.additionalDependencies ?? []) {
    const a = artifacts[dep];
    if (a?.type === 'cdk:asset-manifest') add(a.properties?.requiresBootstrapStackVersion, `${dep} asset publishing`, a.properties?.bootstrapStackVersionSsmParameter);
  }
  const templateFile = path.join(cdkOut, stack.properties?.templateFile ?? `${stackName}.template.json`);
  const template = JSON.parse(fs.readFileSync(templateFile, 'utf8')) as Template;
  const rule = ruleRequirement(template);
  if (rule) add(rule.version, `${path.basename(templateFile)} rule CheckBootstrapVersion`, rule.parameter);

  if (!versions.length) throw new AssemblyError(`${stackName} in ${cdkOut} states no bootstrap requirement`);
  const parameters = [...new Set(versions.map((v) => v.parameter).filter((p): p is string => !!p))];
  if (parameters.length !== 1) throw new AssemblyError(`${stackName} in ${cdkOut} names ${parameters.length ? `several bootstrap version parameters (${parameters.join(', ')})` : 'no bootstrap version parameter'}`);
  const version = Math.max(...versions.map((v) => v.version));
  return { version, ssmParameter: parameters[0], sources: versions.filter((v) => v.version === version).map((v) => v.source) };
}

interface Template {
  readonly Parameters?: Record<string, { Default?: unknown }>;
  readonly Rules?: Record<string, { Assertions?: { Assert?: unknown }[] }>;
}

/** `Fn::Not [Fn::Contains [["1".."5"], Ref BootstrapVersion]]` means version 6 or later, read from the SSM parameter that is the parameter's default. */
function ruleRequirement(template: Template): { version: number; parameter?: string } | undefined {
  for (const assertion of template.Rules?.CheckBootstrapVersion?.Assertions ?? []) {
    const contains = (assertion.Assert as { 'Fn::Not'?: { 'Fn::Contains'?: [unknown, { Ref?: string }] }[] })?.['Fn::Not']?.[0]?.['Fn::Contains'];
    if (!contains || !Array.isArray(contains[0]) || !contains[1]?.Ref) continue;
    const refused = contains[0].map(Number).filter(Number.isInteger);
    const parameter = template.Parameters?.[contains[1].Ref]?.Default;
    return { version: Math.max(0, ...refused) + 1, parameter: typeof parameter === 'string' ? parameter : undefined };
  }
  return undefined;
}
