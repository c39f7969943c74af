// Evidence control: every resource that stores data uses one of the cell's KMS keys.
import { Control } from '../control';
import { isKnownType } from '../resource-types';
import { prop } from '../template-model';

export const encryptionAtRest: Control = {
  id: 'encryption-at-rest',
  title: "All data at rest (database, file share, volumes, logs, backups, snapshots, secrets) uses the cell's keys",
  evaluate(ctx, c) {
    const check = (id: string, property: string, value: unknown, extra = true) => {
      c.see(id, property, value);
      c.require(extra && ctx.usesCellKey(value), `${id}: ${property} does not use one of the cell's KMS keys`);
    };
    const m = ctx.model;
    for (const [id, r] of m.ofType('AWS::RDS::DBInstance')) {
      check(id, 'KmsKeyId', prop(r, 'Properties.KmsKeyId'), prop(r, 'Properties.StorageEncrypted') === true);
      if (prop(r, 'Properties.EnablePerformanceInsights') === true) check(id, 'PerformanceInsightsKMSKeyId', prop(r, 'Properties.PerformanceInsightsKMSKeyId'));
    }
    for (const [id, r] of m.ofType('AWS::FSx::FileSystem')) check(id, 'KmsKeyId', prop(r, 'Properties.KmsKeyId'));
    for (const [id, r] of m.ofType('AWS::Logs::LogGroup')) check(id, 'KmsKeyId', prop(r, 'Properties.KmsKeyId'));
    for (const [id, r] of m.ofType('AWS::Backup::BackupVault')) check(id, 'EncryptionKeyArn', prop(r, 'Properties.EncryptionKeyArn'));
    for (const [id, r] of m.ofType('AWS::SecretsManager::Secret')) check(id, 'KmsKeyId', prop(r, 'Properties.KmsKeyId'));
    for (const [id, r] of m.ofType('AWS::EC2::Volume')) check(id, 'KmsKeyId', prop(r, 'Properties.KmsKeyId'), prop(r, 'Properties.Encrypted') === true);
    for (const [id, r] of m.ofType('AWS::SQS::Queue')) check(id, 'KmsMasterKeyId', prop(r, 'Properties.KmsMasterKeyId'));
    for (const [id, r] of m.ofType('AWS::S3::Bucket')) {
      const rules = (prop(r, 'Properties.BucketEncryption.ServerSideEncryptionConfiguration') as { ServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: unknown } }[] | undefined) ?? [];
      const sse = rules[0]?.ServerSideEncryptionByDefault;
      check(id, 'BucketEncryption', sse, sse?.SSEAlgorithm === 'aws:kms');
    }
    for (const [id, r] of m.ofType('AWS::EC2::LaunchTemplate')) {
      const mappings = (prop(r, 'Properties.LaunchTemplateData.BlockDeviceMappings') as { DeviceName?: string; Ebs?: { Encrypted?: boolean; KmsKeyId?: unknown } }[] | undefined) ?? [];
      c.require(mappings.length > 0, `${id}: launch template maps no volumes explicitly, so they may be unencrypted`);
      for (const bd of mappings) check(id, `BlockDeviceMappings[${bd.DeviceName}].Ebs.KmsKeyId`, bd.Ebs?.KmsKeyId, bd.Ebs?.Encrypted === true);
    }
    for (const [id, r] of m.ofType('AWS::FSx::Volume')) {
      // ONTAP volumes are encrypted with their file system's key: follow the volume to its SVM, then its file system.
      const svm = m.references(prop(r, 'Properties.OntapConfiguration.StorageVirtualMachineId'))[0];
      const fileSystem = m.references(prop(m.get(svm), 'Properties.FileSystemId'))[0];
      check(id, 'file system KmsKeyId (via its storage virtual machine)', prop(m.get(fileSystem), 'Properties.KmsKeyId'), fileSystem !== undefined);
    }
    for (const [id, r] of m.resources.filter(([, x]) => !isKnownType(x.Type))) {
      c.see(id, 'Type', r.Type);
      c.require(false, `${id}: resource type ${r.Type} is not known to this control, so whether it stores data unencrypted is unchecked; classify it in lib/evidence/resource-types.ts`);
    }
  },
};
