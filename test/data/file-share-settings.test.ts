// FileShareSettings (lib/data/file-share/file-share-settings.ts): every refusal of CellFileShare's props.
import { Duration, Size, Stack } from 'aws-cdk-lib';
import { CellFileShareProps } from '../../lib/data/cell-file-share';
import { FileShareSettings } from '../../lib/data/file-share/file-share-settings';
import { fileShareProps } from './sizings';

const settings = (overrides: Partial<CellFileShareProps> = {}) => new FileShareSettings(fileShareProps(new Stack(), overrides));

test('defaults: 1 TiB SSD, 90 days of backups from 01:00 UTC, a 100 GiB volume, the dev throughput, two subnets', () => {
  const s = settings();
  expect([s.storageCapacityGiB, s.backupDays, s.backupStart, s.volumeSizeMiB, s.throughputMBps, s.serverSubnets.length]).toEqual([1024, 90, '01:00', 102400, 128, 2]);
  // App and Data subnets of two AZs: four route tables, each once.
  expect(s.routeTableIds).toHaveLength(4);
});

test('valid edge values pass (control for the refusals below)', () => {
  const s = settings({ backupRetention: Duration.days(1), dailyBackupStartTime: '23:59', storageCapacity: Size.gibibytes(196608), volumeSize: Size.mebibytes(20) });
  expect([s.storageCapacityGiB, s.backupDays, s.backupStart, s.volumeSizeMiB]).toEqual([196608, 1, '23:59', 20]);
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
  expect(() => settings(overrides as Partial<CellFileShareProps>)).toThrow(message);
});
