// The data tier tests' stacks: both fixtures, plus the prod fixture switched to dev sizing.
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CellStack } from '../../lib/cell/cell-stack';
import { CellFileShareProps } from '../../lib/data/cell-file-share';
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

/** Valid CellFileShare props in a bare stack: a two-AZ VPC with `App` and `Data` isolated subnets. */
export function fileShareProps(stack: Stack, overrides: Partial<CellFileShareProps> = {}): CellFileShareProps {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    maxAzs: 2,
    subnetConfiguration: [
      { name: 'App', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  return {
    tenantId: 'acme',
    sizing: 'dev',
    vpc,
    subnets: { subnetGroupName: 'Data' },
    clientSubnets: { subnetGroupName: 'App' },
    encryptionKey: new kms.Key(stack, 'Key'),
    endpoints: new ec2.SecurityGroup(stack, 'Endpoints', { vpc }),
    ...overrides,
  };
}
