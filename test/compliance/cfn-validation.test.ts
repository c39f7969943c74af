// CDK's built-in CloudFormation validation is off in bin/app.ts for speed (every tenant of a shape has
// the same template structure); here it runs, with errors fatal, on every shape a tenant can have.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CellStack, cellStackName } from '../../lib/cell/cell-stack';
import { Tenant } from '../../lib/registry/registry';
import { regions, teamTenant, tenant } from '../fixtures';

function validatedApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellkit-cfn-validate-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  Validations.of(app).addPlugins(new CloudFormationValidatePlugin());
  return app;
}

describe('CloudFormation validation of every cell shape', () => {
  const shapes: [string, Tenant][] = [
    ['enterprise, prod, nat', tenant()],
    ['enterprise, dev, nat', tenant({ id: 'acme-dev', sizing: 'dev', database: { usernameSuffix: 'devdev01' } })],
    ['team, dev, no egress', teamTenant()],
    ['team, prod, no egress', teamTenant({ id: 'globex-prod', sizing: 'prod', database: { usernameSuffix: 'prodpr01' } })],
  ];

  test('every shape passes CloudFormation validation with errors fatal', () => {
    const app = validatedApp();
    for (const [, t] of shapes) new CellStack(app, cellStackName(t.id), { tenant: t, cellkitVersion: '1.0.0', allowedRegions: regions.codes });
    expect(() => app.synth()).not.toThrow();
  });

  test('the validation does fail a broken template (control)', () => {
    const app = validatedApp();
    const stack = new Stack(app, 'Control', { env: { account: '123456789012', region: 'eu-west-2' } });
    new ec2.CfnSubnet(stack, 'Broken', { vpcId: 'not-a-vpc-id', cidrBlock: '10.0.0.0/24' });
    expect(() => app.synth()).toThrow(/ERROR VpcId: 'not-a-vpc-id' does not match format 'AWS::EC2::VPC.Id' \(CloudFormation Validate\)/);
  });
});
