// OntapFileSystem (lib/data/file-share/ontap-file-system.ts): the FSx file system, its SVM and its git volume.
import { FILE_SHARE_DEPLOYMENT_TYPE } from '../../lib/data/cell-file-share';
import { Built, buildSizings, resource, Sizings } from './sizings';

const FS_LOGICAL_ID = 'FileShareFileSystemF09730EB';
const SVM_LOGICAL_ID = 'FileShareStorageVirtualMachineB9483BBC';
const VOLUME_LOGICAL_ID = 'FileShareGitVolume09BD5448';

let cells: Sizings;
beforeAll(() => (cells = buildSizings()));

describe.each([
  ['prod', () => cells.prod, 512],
  ['dev', () => cells.dev, 128],
])('OntapFileSystem (%s sizing)', (_name, get, throughput) => {
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
});

function fs(b: Built) {
  return resource(b, FS_LOGICAL_ID).Properties;
}

test('the deployment type is the one constant every sizing shares', () => {
  expect(FILE_SHARE_DEPLOYMENT_TYPE).toBe('MULTI_AZ_1');
});

describe('OntapFileSystem sizing switch', () => {
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
