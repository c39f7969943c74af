// Issue 11 point 6: SSM treats `{{ name }}` in a document as its own parameter syntax ("SSM
// document syntax: parameters", AWS Systems Manager User Guide), and has no escape for literal
// braces. Vault's SQL templates ({{username}}, {{name}}...) must therefore never sit in an SSM
// document: every `{{ }}` in every SSM document of the example tenants' templates must name a
// parameter the document declares. (Today the Vault bootstrap runs in a Lambda and its SQL never
// passes through SSM; this keeps it that way for any document added later.)
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CellStack, cellStackName } from '../../lib/cell/cell-stack';
import { TenantRegistry, registryPaths } from '../../lib/registry/registry';
import { REPO_ROOT } from '../fixtures';

/** `{{ x }}` placeholders of an SSM document's content that are not declared parameters. */
export function undeclaredSsmParameters(content: unknown): string[] {
  const doc = (typeof content === 'string' ? JSON.parse(content) : content) as { parameters?: Record<string, unknown> };
  const declared = new Set(Object.keys(doc.parameters ?? {}));
  const used = [...JSON.stringify(doc).matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]);
  return [...new Set(used.filter((name) => !declared.has(name)))];
}

const registry = TenantRegistry.load(registryPaths(REPO_ROOT));
const templates = registry.tenants.map((tenant) => ({
  tenant: tenant.id,
  template: Template.fromStack(new CellStack(new App(), cellStackName(tenant.id), { tenant, cellkitVersion: '0.0.0-test', allowedRegions: registry.regions.codes })).toJSON() as { Resources: Record<string, any> },
}));

test('the example tenants are both synthesized', () => {
  expect(templates.map((t) => t.tenant).sort()).toEqual(['contoso', 'northwind']);
});

test.each(templates)('every SSM document of $tenant uses only declared {{ }} parameters', ({ template }) => {
  const docs = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SSM::Document');
  expect(docs.map(([id, r]) => [id, undeclaredSsmParameters(r.Properties.Content)]).filter(([, bad]) => bad.length)).toEqual([]);
});

test.each(templates)("the Vault database role's templates of $tenant never reach SSM (they travel in the bootstrap's custom resource)", ({ template }) => {
  const docs = JSON.stringify(Object.values(template.Resources).filter((r) => r.Type === 'AWS::SSM::Document'));
  expect(docs).not.toMatch(/\{\{\s*(username|password|name|expiration)\s*\}\}/);
});

test('the check finds undeclared braces (control: the old bootstrap document shape)', () => {
  const content = {
    schemaVersion: '2.2',
    parameters: { target: { type: 'String' } },
    mainSteps: [{ action: 'aws:runShellScript', name: 'x', inputs: { runCommand: ["echo {{ target }}", "vault write x connection_url='postgresql://{{username}}:{{password}}@h/d' sql='CREATE ROLE \"{{name}}\" VALID UNTIL '{{expiration}}''"] } }],
  };
  expect(undeclaredSsmParameters(content)).toEqual(['username', 'password', 'name', 'expiration']);
  expect(undeclaredSsmParameters(JSON.stringify(content))).toEqual(['username', 'password', 'name', 'expiration']);
});
