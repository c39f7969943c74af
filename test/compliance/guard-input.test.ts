// What the Control Tower gate hands to cfn-guard, and the two facts about the bundled rules (read here from
// the rule files of the pinned @cdklabs/cdk-validator-cfnguard) that make the cuts keep every verdict.
import * as fs from 'fs';
import * as path from 'path';
import { CONTROL_TOWER_RULES_DIR } from '../../lib/compliance/control-tower';
import { TemplateJson, guardInput, referencedIds, ruleGroupInput } from '../../lib/compliance/guard-input';

/** Every bundled rule file, without its comment lines. */
const rules: [string, string][] = fs
  .readdirSync(CONTROL_TOWER_RULES_DIR, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.guard'))
  .map((f) => [path.basename(f), fs.readFileSync(path.join(CONTROL_TOWER_RULES_DIR, f), 'utf8').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n')]);

/** Where a rule reaches a resource by its key, and any use of it beyond "exists" and "has this Type". */
function referenceUses(file: string, text: string): { lookups: number; uses: number; other: string[] } {
  let lookups = 0;
  let uses = 0;
  const other: string[] = [];
  // The only way the rules reach a resource by key.
  for (const m of text.matchAll(/Resources\[\s*keys\s*==[^\]]*\]/g)) {
    lookups++;
    const line = text.slice(text.lastIndexOf('\n', m.index) + 1, text.indexOf('\n', m.index));
    if (!/^\s*let referenced_resource = %doc\.Resources\[ keys == %resource_key \]\s*$/.test(line)) other.push(`${file}: ${line.trim()}`);
  }
  for (const m of text.matchAll(/%referenced_resource\b(?!_)[ \t]*([^\n{]*)(\{)?/g)) {
    const block = m[2] ? text.slice(m.index + m[0].length, text.indexOf('}', m.index)) : undefined;
    const use = block === undefined ? m[1].trim() : `{ ${block.replace(/\s+/g, ' ').trim()} }`;
    if (!/^(not empty|\{ Type (==|in) %[A-Za-z_]+ \})$/.test(use)) other.push(`${file}: %referenced_resource ${use}`);
    uses++;
  }
  return { lookups, uses, other };
}

describe('the bundled rules read only what the gate keeps', () => {
  test('no rule reads a template\'s Description, Metadata or Outputs (so the gate drops them)', () => {
    expect(rules.length).toBeGreaterThan(200);
    const reading = rules.filter(([, text]) => /\b(Description|Metadata|Outputs)\b/.test(text)).map(([f]) => f);
    expect(reading).toEqual([]);
  });

  test('a rule that looks a referenced resource up by its logical id asks only that it exists and its Type (so the gate keeps it as { Type })', () => {
    const found = rules.map(([file, text]) => referenceUses(file, text));
    expect(found.reduce((n, f) => n + f.lookups, 0)).toBeGreaterThan(30);
    // Each lookup is followed by "not empty" and, in all but one rule, a Type block: both kinds are read.
    expect(found.reduce((n, f) => n + f.uses, 0)).toBeGreaterThan(70);
    expect(found.flatMap((f) => f.other)).toEqual([]);
  });

  test('control: a rule reading a referenced resource\'s properties, or looking it up another way, is caught', () => {
    const bad = 'let referenced_resource = %doc.Resources[ keys == %resource_key ]\n%referenced_resource {\n  Properties.Encrypted == true\n}\n';
    expect(referenceUses('bad.guard', bad).other).toEqual(['bad.guard: %referenced_resource { Properties.Encrypted == true }']);
    expect(referenceUses('other.guard', 'let r = Resources[ keys == %k ]\n').other).toEqual(['other.guard: let r = Resources[ keys == %k ]']);
  });
});

const template: TemplateJson = {
  AWSTemplateFormatVersion: '2010-09-09',
  Description: 'cell of "acme" (Acme Corp)',
  Metadata: { cellkit: { pinnedAt: '2026-01-01' } },
  Parameters: { Ami: { Type: 'String' } },
  Resources: {
    Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' }, Metadata: { 'aws:cdk:path': 'Cell/Role' } },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
    Perm: { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: { Ref: 'Fn' }, SourceArn: { 'Fn::Sub': 'arn:${Bucket}/${Role.Arn}' } } },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'b' } },
  },
  Outputs: { X: { Value: 'y' } },
};

describe('guardInput and ruleGroupInput', () => {
  test('the rules\' input keeps the format version, parameters and resources, without any Metadata', () => {
    expect(guardInput(template)).toEqual({
      AWSTemplateFormatVersion: '2010-09-09',
      Parameters: { Ami: { Type: 'String' } },
      Resources: { ...template.Resources, Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' } } },
    });
  });

  test('references are found through Ref, Fn::GetAtt and Fn::Sub', () => {
    expect(referencedIds(template.Resources!.Perm)).toEqual(['Fn', 'Bucket', 'Role']);
    expect(referencedIds({ 'Fn::GetAtt': 'Role.Arn' })).toEqual(['Role']);
  });

  test('a group keeps its types whole and what they refer to as { Type }, in template order', () => {
    const input = guardInput(template);
    const group = ruleGroupInput(input, ['aws::lambda::permission']);
    expect(group?.Resources).toEqual({
      Role: { Type: 'AWS::IAM::Role' },
      Fn: { Type: 'AWS::Lambda::Function' },
      Perm: template.Resources!.Perm,
      Bucket: { Type: 'AWS::S3::Bucket' },
    });
    expect(Object.keys(group!.Resources!)).toEqual(['Role', 'Fn', 'Perm', 'Bucket']);
    expect(group?.Parameters).toEqual(input.Parameters);
  });

  test('a group whose types the template does not hold gets nothing; a group naming no type gets everything', () => {
    expect(ruleGroupInput(guardInput(template), ['aws::rds::dbinstance'])).toBeUndefined();
    expect(ruleGroupInput(guardInput(template), [])).toEqual(guardInput(template));
  });
});
