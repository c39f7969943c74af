import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CellFileShare, CellFileShareProps } from '../../lib/data/cell-file-share';
import { nagFindings } from '../fixtures';
import { Built, buildSizings, keyPolicySizes, resource, Sizings } from './sizings';

const FS_LOGICAL_ID = 'FileShareFileSystemF09730EB';
const SVM_LOGICAL_ID = 'FileShareStorageVirtualMachineB9483BBC';
const VOLUME_LOGICAL_ID = 'FileShareGitVolume09BD5448';


let cells: Sizings;
beforeAll(() => (cells = buildSizings()));

describe.each([
  ['prod', () => cells.prod, 512],
  ['dev', () => cells.dev, 128],
])('CellFileShare (%s sizing)', (_name, get, throughput) => {
  const dataKey = (b: Built) => b.stack.resolve(b.stack.keys.dataKey.keyArn);

  test('is FSx for NetApp ONTAP, Multi-AZ in two data subnets, encrypted with the data key', () => {
    const b = get();
    const dataSubnets = b.stack.network.vpc.selectSubnets(b.stack.network.dataSubnets).subnetIds.map((id) => b.stack.resolve(id));
    const fs = resource(b, FS_LOGICAL_ID);
    expect(fs.Type).toBe('AWS::FSx::FileSystem');
    expect(fs.Properties).toMatchObject({
      FileSystemType: 'ONTAP',
      StorageType: 'SSD',
      StorageCapacity: 1024,
      KmsKeyId: dataKey(b),
      SubnetIds: dataSubnets.slice(0, 2),
      SecurityGroupIds: [b.stack.resolve(b.stack.fileShare.securityGroup.securityGroupId)],
      OntapConfiguration: { DeploymentType: 'MULTI_AZ_1', PreferredSubnetId: dataSubnets[0], ThroughputCapacity: throughput },
    });
  });

  test('routes clients in the app subnets to the floating endpoints', () => {
    const b = get();
    const routeTables = fs(b).OntapConfiguration.RouteTableIds;
    for (const subnet of b.stack.network.vpc.selectSubnets(b.stack.network.appSubnets).subnets) {
      expect(routeTables).toContainEqual(b.stack.resolve(subnet.routeTable.routeTableId));
    }
  });

  test('automatic daily backups are kept 90 days', () => {
    expect(fs(get()).OntapConfiguration).toMatchObject({ AutomaticBackupRetentionDays: 90, DailyAutomaticBackupStartTime: '01:00' });
  });

  test('admin passwords are generated secrets (data key) passed only by dynamic reference', () => {
    const b = get();
    const svm = resource(b, SVM_LOGICAL_ID).Properties;
    for (const [password, user] of [[fs(b).OntapConfiguration.FsxAdminPassword, 'fsxadmin'], [svm.SvmAdminPassword, 'vsadmin']]) {
      const secrets = b.template.findResources('AWS::SecretsManager::Secret', { Properties: { Name: `cellkit/${b.stack.tenant.id}/file-share/${user}` } });
      const [secretId] = Object.keys(secrets);
      expect(secrets[secretId].Properties).toMatchObject({ KmsKeyId: dataKey(b), GenerateSecretString: { GenerateStringKey: 'password', PasswordLength: 32 } });
      expect(password).toEqual({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:password::}}']] });
    }
  });

  test('file system, SVM and volume are retained on delete and replace (FSx has no Snapshot policy)', () => {
    const b = get();
    for (const id of [FS_LOGICAL_ID, SVM_LOGICAL_ID, VOLUME_LOGICAL_ID]) {
      expect(resource(b, id)).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    }
    expect(resource(b, SVM_LOGICAL_ID).Properties).toMatchObject({ FileSystemId: { Ref: FS_LOGICAL_ID }, Name: 'cellkit' });
    expect(resource(b, VOLUME_LOGICAL_ID).Properties).toMatchObject({
      VolumeType: 'ONTAP',
      OntapConfiguration: { StorageVirtualMachineId: { Ref: SVM_LOGICAL_ID }, JunctionPath: '/git', CopyTagsToBackups: 'true' },
    });
  });

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

function fs(b: Built) {
  return resource(b, FS_LOGICAL_ID).Properties;
}

describe('CellFileShare sizing switch', () => {
  test('dev <-> prod keeps logical IDs and every replacement-sensitive property; only throughput changes', () => {
    for (const id of [FS_LOGICAL_ID, SVM_LOGICAL_ID, VOLUME_LOGICAL_ID]) {
      expect(resource(cells.prodAsDev, id)).toBeDefined();
    }
    const a = fs(cells.prod);
    const b = fs(cells.prodAsDev);
    for (const key of ['FileSystemType', 'KmsKeyId', 'SubnetIds', 'SecurityGroupIds', 'StorageType', 'StorageCapacity']) {
      expect([key, b[key]]).toEqual([key, a[key]]);
    }
    for (const key of ['DeploymentType', 'PreferredSubnetId', 'EndpointIpAddressRange']) {
      expect([key, b.OntapConfiguration[key]]).toEqual([key, a.OntapConfiguration[key]]);
    }
    expect(resource(cells.prodAsDev, SVM_LOGICAL_ID).Properties).toEqual(resource(cells.prod, SVM_LOGICAL_ID).Properties);
    expect(resource(cells.prodAsDev, VOLUME_LOGICAL_ID).Properties).toEqual(resource(cells.prod, VOLUME_LOGICAL_ID).Properties);
    expect([a.OntapConfiguration.ThroughputCapacity, b.OntapConfiguration.ThroughputCapacity]).toEqual([512, 128]);
  });
});

describe('CellFileShare props', () => {
  function make(overrides: Partial<CellFileShareProps> = {}): CellFileShare {
    const stack = new Stack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      natGateways: 0,
      maxAzs: 2,
      subnetConfiguration: [
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    return new CellFileShare(stack, 'Share', {
      tenantId: 'acme',
      sizing: 'dev',
      vpc,
      subnets: { subnetGroupName: 'Data' },
      clientSubnets: { subnetGroupName: 'App' },
      encryptionKey: new kms.Key(stack, 'Key'),
      endpoints: new ec2.SecurityGroup(stack, 'Endpoints', { vpc }),
      ...overrides,
    });
  }

  test('valid props build', () => {
    const share = make({ backupRetention: Duration.days(30), dailyBackupStartTime: '23:59', storageCapacity: Size.tebibytes(2), volumeSize: Size.gibibytes(1536) });
    expect(share.fileSystem.storageCapacity).toBe(2048);
    expect(Stack.of(share).resolve(share.fileSystem.ontapConfiguration)).toMatchObject({ automaticBackupRetentionDays: 30 });
    expect(share.volume.ontapConfiguration).toMatchObject({ sizeInMegabytes: '1572864' });
  });

  test('adds nothing to the key policy (no kms:ReEncrypt* / GenerateDataKey* wildcards from the secrets)', () => {
    expect(keyPolicySizes(Stack.of(make()))).toEqual([1]);
  });

  test.each([
    ['backupRetention 0 days', { backupRetention: Duration.days(0) }, 'CellFileShare for tenant "acme": backupRetention must be whole days from 1 to 90 (0 would disable backups); got 0 days'],
    ['backupRetention 91 days', { backupRetention: Duration.days(91) }, 'backupRetention must be whole days from 1 to 90 (0 would disable backups); got 91 days'],
    ['backupRetention 36 hours', { backupRetention: Duration.hours(36) }, 'backupRetention must be whole days from 1 to 90 (0 would disable backups); got 1.5 days'],
    ['dailyBackupStartTime 24:00', { dailyBackupStartTime: '24:00' }, 'dailyBackupStartTime must be HH:MM (00:00-23:59, UTC); got "24:00"'],
    ['storageCapacity 512 GiB', { storageCapacity: Size.gibibytes(512) }, 'storageCapacity must be whole GiB from 1024 to 196608 (FSx for ONTAP SSD limits); got 512 GiB'],
    ['storageCapacity not whole GiB', { storageCapacity: Size.mebibytes(1024 * 1024 + 1) }, 'storageCapacity must be whole GiB from 1024 to 196608 (FSx for ONTAP SSD limits); got 1024.0009765625 GiB'],
    ['volumeSize 2 TiB (over the SSD capacity)', { volumeSize: Size.tebibytes(2) }, 'volumeSize must be whole MiB from 20 to 1048576 (at most the SSD capacity); got 2097152 MiB'],
    ['volumeSize not whole MiB', { volumeSize: Size.kibibytes(20 * 1024 + 1) }, 'volumeSize must be whole MiB from 20 to 1048576 (at most the SSD capacity); got 20.0009765625 MiB'],
    ['subnets in one made-up AZ', { subnets: { subnetGroupName: 'Data', availabilityZones: ['nowhere-1a'] } }, 'subnets must select at least 2 subnets in different AZs (Multi-AZ file servers); got 0'],
  ])('refuses %s', (_label, overrides, message) => {
    expect(() => make(overrides as Partial<CellFileShareProps>)).toThrow(message);
  });
});
