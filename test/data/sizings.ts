// The data tier tests' stacks: both fixtures, plus the prod fixture switched to dev sizing.
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CellStack } from '../../lib/cell/cell-stack';
import { cellStack, teamTenant, tenant } from '../fixtures';

export interface Built {
  readonly stack: CellStack;
  readonly template: Template;
}

export interface Sizings {
  /** tenant(): prod sizing, NAT egress. */
  readonly prod: Built;
  /** teamTenant(): dev sizing, no egress. */
  readonly dev: Built;
  /** tenant() with sizing "dev": the same cell after a prod -> dev switch. */
  readonly prodAsDev: Built;
}

export function build(t = tenant()): Built {
  const stack = cellStack(t);
  return { stack, template: Template.fromStack(stack) };
}

export function buildSizings(): Sizings {
  return { prod: build(tenant()), dev: build(teamTenant()), prodAsDev: build(tenant({ sizing: 'dev' })) };
}

/** A resource of the template by logical ID. */
export function resource(b: Built, logicalId: string) {
  return b.template.toJSON().Resources[logicalId];
}

/** Statement counts of every key policy in the stack. */
export function keyPolicySizes(stack: Stack): number[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key')).map((k) => k.Properties.KeyPolicy.Statement.length);
}
