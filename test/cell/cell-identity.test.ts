// A cell template is a function of its tenant's shape and identity: two tenants of one shape get the same
// template but for their identity values, which is what lets the Control Tower gate check one for both.
import { App, Stack } from 'aws-cdk-lib';
import { cellTemplateIdentity } from '../../lib/cell/cell-identity';
import { TemplateJson, guardInput } from '../../lib/compliance/guard-input';
import { canonicalTemplate } from '../../lib/compliance/template-classes';
import { Tenant } from '../../lib/registry/registry';
import { cellStack, tenant } from '../fixtures';

/** The synthesized template as the Control Tower rules read it. */
function rulesInput(t: Tenant): TemplateJson {
  const stack = cellStack(t);
  return guardInput(App.of(stack)!.synth().getStackArtifact(stack.artifactId).template as TemplateJson);
}

const acme = tenant();
const initech = tenant({ id: 'initech-eu', displayName: 'Initech Europe B.V.', account: '210987654321', database: { usernameSuffix: 'zz99yy88' } });

describe('cellTemplateIdentity', () => {
  test('names the stack, the identity values, and a shape free of them', () => {
    const id = cellTemplateIdentity(acme);
    expect(id.stackName).toBe('Cell-acme');
    expect(id.values).toEqual(['acme', '123456789012', 'k3x9q2ab']);
    expect(id.shape).not.toMatch(/acme|123456789012|k3x9q2ab|Acme Pty/);
    expect(cellTemplateIdentity(initech).shape).toBe(id.shape);
  });

  test('every other spec field is part of the shape', () => {
    const shape = cellTemplateIdentity(acme).shape;
    for (const other of [tenant({ sizing: 'dev' }), tenant({ egress: 'none' }), tenant({ placement: { region: 'eu-west-2' } }), tenant({ vault: { recoveryPgpKeys: acme.spec.vault!.recoveryPgpKeys.slice(0, 2), recoveryThreshold: 2 } })]) {
      expect(cellTemplateIdentity(other).shape).not.toBe(shape);
    }
  });

  test('two tenants of one shape synthesize the same template but for their identity values', () => {
    const [a, b] = [rulesInput(acme), rulesInput(initech)];
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
    expect(canonicalTemplate(a, cellTemplateIdentity(acme))).toBe(canonicalTemplate(b, cellTemplateIdentity(initech)));
    // Neither identity survives in the canonical form, and the display name never reaches the rules.
    expect(canonicalTemplate(a, cellTemplateIdentity(acme))).not.toMatch(/acme|123456789012|k3x9q2ab/i);
    expect(JSON.stringify(a)).not.toContain('Acme Pty Ltd');
  });

  test('control: a tenant of another shape does not', () => {
    const dev = tenant({ id: 'hooli', account: '333333333333', sizing: 'dev', database: { usernameSuffix: 'hh11hh11' } });
    // Same shape string forced, to show the templates themselves differ.
    expect(canonicalTemplate(rulesInput(dev), { ...cellTemplateIdentity(dev), shape: cellTemplateIdentity(acme).shape })).not.toBe(
      canonicalTemplate(rulesInput(acme), cellTemplateIdentity(acme)),
    );
  });

  test('the stack is a CDK stack of that name', () => {
    expect(Stack.of(cellStack(acme)).stackName).toBe(cellTemplateIdentity(acme).stackName);
  });
});
