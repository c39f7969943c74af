// Which templates the Control Tower gate may check once for all: the same template but for the tenants'
// identity values. Plain JSON here; test/cell/cell-identity.test.ts does it on synthesized cells.
import { TemplateJson } from '../../lib/compliance/guard-input';
import { GateTemplate, TemplateIdentity, canonicalTemplate, templateClasses } from '../../lib/compliance/template-classes';

/** A small cell-like template for tenant `id` in account `account`, with logical ids and names derived from its stack name. */
function cell(id: string, account: string, opts: { encrypted?: boolean } = {}): TemplateJson {
  const alnum = `Cell${id.replace(/-/g, '')}`;
  const sg = `DbSgfrom${alnum}AppSg1234ABCD5678`;
  return {
    Resources: {
      Key: { Type: 'AWS::KMS::Key', Properties: { Description: `cellkit-${id} data key`, KeyPolicy: { Statement: [{ Principal: { AWS: `arn:aws:iam::${account}:root` } }] } } },
      [sg]: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { Description: `from ${alnum}AppSgE5FA6E21:5432`, GroupId: { 'Fn::GetAtt': ['Db', 'GroupId'] } } },
      Db: { Type: 'AWS::RDS::DBInstance', DependsOn: [sg], Properties: { StorageEncrypted: opts.encrypted ?? true, KmsKeyId: { Ref: 'Key' }, Name: { 'Fn::Sub': `${id}-\${Key.Arn}` } } },
    },
  };
}
const identity = (id: string, account: string, shape = 'enterprise/prod/eu-west-2'): TemplateIdentity => ({ stackName: `Cell-${id}`, shape, values: [id, account] });
const gateTemplate = (id: string, account: string, input = cell(id, account), shape?: string): GateTemplate => ({ file: `/out/Cell-${id}.template.json`, input, identity: identity(id, account, shape) });
const classesOf = (ts: GateTemplate[]) => templateClasses(ts).map((c) => c.members.map((m) => m.file.replace(/^\/out\/(Cell-)?|\.template\.json$/g, '')));

describe('templateClasses', () => {
  test('two tenants of one shape are one class, the first one checked, whatever their ids, accounts and logical ids', () => {
    const classes = templateClasses([gateTemplate('acme', '111111111111'), gateTemplate('globex-eu', '222222222222')]);
    expect(classes).toHaveLength(1);
    expect(classes[0].representative.file).toBe('/out/Cell-acme.template.json');
    expect(canonicalTemplate(cell('acme', '111111111111'), identity('acme', '111111111111'))).not.toMatch(/acme|1111|Cellacme/);
  });

  test('a difference in anything but the identity values makes two classes', () => {
    expect(classesOf([gateTemplate('acme', '111111111111'), gateTemplate('globex', '222222222222', cell('globex', '222222222222', { encrypted: false }))])).toEqual([['acme'], ['globex']]);
  });

  test('templates of two shapes are never compared, even when equal', () => {
    expect(classesOf([gateTemplate('acme', '111111111111', undefined, 'a'), gateTemplate('globex', '222222222222', undefined, 'b')])).toEqual([['acme'], ['globex']]);
  });

  test('a template without an identity, or with another stack\'s, is checked on its own', () => {
    const noIdentity: GateTemplate = { file: '/out/Cell-globex.template.json', input: cell('globex', '222222222222') };
    const wrongStack: GateTemplate = { ...gateTemplate('globex', '222222222222'), file: '/out/Other.template.json' };
    expect(classesOf([gateTemplate('acme', '111111111111'), noIdentity, wrongStack])).toEqual([['acme'], ['globex'], ['Other']]);
  });

  test('an identity value that also spells configuration keeps its template apart (never a looser match)', () => {
    const acme = gateTemplate('acme', '111111111111');
    // "data" is also in the key's description ("... data key"), "true" is also StorageEncrypted's value.
    expect(classesOf([acme, gateTemplate('data', '222222222222')])).toEqual([['acme'], ['data']]);
    expect(classesOf([acme, gateTemplate('true', '222222222222')])).toEqual([['acme'], ['true']]);
    expect(classesOf([acme, gateTemplate('initech', '222222222222')])).toEqual([['acme', 'initech']]);
  });
});
