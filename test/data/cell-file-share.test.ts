// CellFileShare (lib/data/cell-file-share.ts), the composing construct: network reach, the nag packs on the
// whole share, the key policy, and the locked logical IDs. Each part it composes has its own test:
// file-share-settings (the refusals), file-share-admin-secrets, file-share-ontap-file-system, file-share-smb-share.
import { CfnElement, Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CellFileShare, CellFileShareProps } from '../../lib/data/cell-file-share';
import { nagFindings } from '../fixtures';
import { Built, buildSizings, fileShareProps, keyPolicySizes, resource, Sizings } from './sizings';

let cells: Sizings;
beforeAll(() => (cells = buildSizings()));

describe.each([
  ['prod', () => cells.prod],
  ['dev', () => cells.dev],
])('CellFileShare (%s sizing)', (_name, get) => {
  test('network reach: the app security group on SMB 445 and HTTPS 443, the share-configuring Lambda on 443 only; no egress', () => {
    const b = get();
    const sg = resource(b, b.stack.getLogicalId(b.stack.fileShare.securityGroup.node.defaultChild as ec2.CfnSecurityGroup)).Properties;
    expect(sg.SecurityGroupIngress).toBeUndefined();
    expect(sg.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]); // CDK's "no egress" placeholder
    const sgId = b.stack.resolve(b.stack.fileShare.securityGroup.securityGroupId);
    const appSg = b.stack.resolve(b.stack.network.appSecurityGroup.securityGroupId);
    const lambdaSg = b.stack.resolve(b.stack.fileShare.smbShare.securityGroup.securityGroupId);
    const ingress = Object.values(b.template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: sgId } })).map((r) => r.Properties);
    const byJson = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(byJson(ingress.map((r) => [r.IpProtocol, r.FromPort, r.ToPort, r.SourceSecurityGroupId, r.CidrIp]))).toEqual(
      byJson([
        ['tcp', 443, 443, appSg, undefined],
        ['tcp', 445, 445, appSg, undefined],
        ['tcp', 443, 443, lambdaSg, undefined],
      ]),
    );
  });

  test('all four nag packs pass on the file share', () => {
    expect(nagFindings(get().stack.fileShare)).toEqual([]);
  });
});

// Every logical ID under the share, in template order. A logical ID is CloudFormation's name for a resource:
// a changed one deletes the old resource and creates a new one on the next deploy (a new, empty file system;
// the retained one left behind). The parts in lib/data/file-share/ create their resources in the share's
// scope precisely to keep these IDs (docs/file-share.md, "How the code is split").
const fileShareIds = (tenant: string, rules: Record<string, string>) => [
  ['FileShareSecurityGroup3AF3CCE1', 'AWS::EC2::SecurityGroup'],
  [`FileShareSecurityGroupfromCell${tenant}FileShareSmbShareSecurityGroup${rules.smbIn}`, 'AWS::EC2::SecurityGroupIngress'],
  [`FileShareSecurityGroupfromCell${tenant}NetworkAppSecurityGroup${rules.app445}`, 'AWS::EC2::SecurityGroupIngress'],
  [`FileShareSecurityGroupfromCell${tenant}NetworkAppSecurityGroup${rules.app443}`, 'AWS::EC2::SecurityGroupIngress'],
  ['FileShareFsxAdminSecret5A6D2A35', 'AWS::SecretsManager::Secret'],
  ['FileShareSvmAdminSecret3E5AF39D', 'AWS::SecretsManager::Secret'],
  ['FileShareFileSystemF09730EB', 'AWS::FSx::FileSystem'],
  ['FileShareStorageVirtualMachineB9483BBC', 'AWS::FSx::StorageVirtualMachine'],
  ['FileShareGitVolume09BD5448', 'AWS::FSx::Volume'],
  ['FileShareSmbShareUserSecretA68FCD8B', 'AWS::SecretsManager::Secret'],
  ['FileShareSmbShareSecurityGroup2F9AD1F8', 'AWS::EC2::SecurityGroup'],
  [`FileShareSmbShareSecurityGrouptoCell${tenant}FileShareSecurityGroup${rules.smbOut}`, 'AWS::EC2::SecurityGroupEgress'],
  [`FileShareSmbShareSecurityGrouptoCell${tenant}NetworkEndpointSecurityGroup${rules.endpointOut}`, 'AWS::EC2::SecurityGroupEgress'],
  ['FileShareSmbShareLogsF2E4CF48', 'AWS::Logs::LogGroup'],
  ['FileShareSmbShareRoleE4D07FEC', 'AWS::IAM::Role'],
  ['FileShareSmbSharePolicy11E94230', 'AWS::IAM::ManagedPolicy'],
  ['FileShareSmbShareVpcAccessPolicyD322758B', 'AWS::IAM::ManagedPolicy'],
  ['FileShareSmbShareFunction9CE7D66B', 'AWS::Lambda::Function'],
  ['FileShareSmbShareFunctionSecretsManagerRotates63FB1E56', 'AWS::Lambda::Permission'],
  ['FileShareSmbShareEB888370', 'Custom::CellkitSmbShare'],
  ['FileShareSmbShareRotationB482E5FB', 'AWS::SecretsManager::RotationSchedule'],
];
const ACME_FILE_SHARE_IDS = fileShareIds('acme', {
  smbIn: 'E9FEF08C443B971D27D', app445: '32F7F179445378789AE', app443: '32F7F17944369C34B46', smbOut: '715DBA554431A97A7EB', endpointOut: '71AEAD0844354A205C2',
});
const GLOBEX_FILE_SHARE_IDS = fileShareIds('globex', {
  smbIn: 'CBE6C37C4430436F87E', app445: 'A61CE3B8445A5597D80', app443: 'A61CE3B8443401D87A1', smbOut: 'B7A5D8A3443E21BE0F8', endpointOut: 'CFEE282A443F8D30F7C',
});

test.each([
  ['tenant() (prod, nat)', () => cells.prod, ACME_FILE_SHARE_IDS],
  ['teamTenant() (dev, none)', () => cells.dev, GLOBEX_FILE_SHARE_IDS],
])('the logical ID of every resource of the share is locked: %s', (_n, get, expected) => {
  const b: Built = get();
  const share = b.stack.node.findChild('FileShare');
  const elements = share.node.findAll().filter((c): c is CfnElement => CfnElement.isCfnElement(c))
    .map((c) => [b.stack.getLogicalId(c), (c as unknown as { cfnResourceType: string }).cfnResourceType]);
  expect(elements).toEqual(expected);
  // The same IDs, in the same order, in the synthesized template.
  expect(Object.keys(b.template.toJSON().Resources).filter((id) => id.startsWith('FileShare'))).toEqual(expected.map(([id]) => id));
  for (const [id] of expected) expect(resource(b, id)).toBeDefined();
});

describe('CellFileShare props', () => {
  const make = (overrides: Partial<CellFileShareProps> = {}) => {
    const stack = new Stack();
    return new CellFileShare(stack, 'Share', fileShareProps(stack, overrides));
  };

  test('valid props build', () => {
    const share = make({ backupRetention: Duration.days(30), dailyBackupStartTime: '23:59', storageCapacity: Size.tebibytes(2), volumeSize: Size.gibibytes(1536) });
    expect(share.fileSystem.storageCapacity).toBe(2048);
    expect(Stack.of(share).resolve(share.fileSystem.ontapConfiguration)).toMatchObject({ automaticBackupRetentionDays: 30 });
    expect(share.volume.ontapConfiguration).toMatchObject({ sizeInMegabytes: '1572864' });
  });

  test('adds nothing to the key policy (no kms:ReEncrypt* / GenerateDataKey* wildcards from the secrets)', () => {
    expect(keyPolicySizes(Stack.of(make()))).toEqual([1]);
  });

  test('a refused prop is refused before the share creates anything (the refusals: file-share-settings.test.ts)', () => {
    const stack = new Stack();
    const props = fileShareProps(stack, { dailyBackupStartTime: '24:00' });
    expect(() => new CellFileShare(stack, 'Share', props)).toThrow('CellFileShare for tenant "acme": dailyBackupStartTime must be HH:MM');
    expect(stack.node.findChild('Share').node.children).toEqual([]);
  });
});
