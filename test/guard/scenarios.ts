// Region guard scenarios shared by the check, the Lambda handler and the CLI tests.
// Every client of every region is mocked: no test reaches the network.
import { DescribeFileSystemsCommand, FSxClient, FSxServiceException } from '@aws-sdk/client-fsx';
import { KMSClient, KMSServiceException, ListAliasesCommand } from '@aws-sdk/client-kms';
import { DescribeDBInstancesCommand, RDSClient, RDSServiceException } from '@aws-sdk/client-rds';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';
import { TENANT_TAG } from '../../lib/cell/cell-stack';
import { GuardClients } from '../../lib/guard/region-check';
import { regions, tenant } from '../fixtures';

export const TENANT = tenant();
export const PINNED = TENANT.pin.region; // ap-southeast-2
export const ALLOWED = regions.codes;
/** Budget per region and API in the timeout scenarios. */
export const TEST_TIMEOUT_MS = 1000;

type Stub = AwsStub<any, any, any>;
export interface RegionMocks {
  readonly kms: Stub;
  readonly rds: Stub;
  readonly fsx: Stub;
}

/** One mocked client per region and service; every API answers one empty page unless a scenario says otherwise. */
export class MockedRegions {
  readonly clients: GuardClients;
  private readonly mocks = new Map<string, RegionMocks>();
  /** Regions whose clients were created, i.e. asked. */
  readonly asked = new Set<string>();

  constructor() {
    const made = new Map<string, { kms: KMSClient; rds: RDSClient; fsx: FSxClient }>();
    for (const region of ALLOWED) {
      const c = { kms: new KMSClient({ region }), rds: new RDSClient({ region }), fsx: new FSxClient({ region }) };
      made.set(region, c);
      const m = { kms: mockClient(c.kms), rds: mockClient(c.rds), fsx: mockClient(c.fsx) };
      m.kms.on(ListAliasesCommand).resolves({ Aliases: [{ AliasName: 'alias/aws/ebs' }], Truncated: false });
      m.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
      m.fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
      this.mocks.set(region, m);
    }
    const get = (region: string) => {
      this.asked.add(region);
      const c = made.get(region);
      if (!c) throw new Error(`test: no client for ${region}`);
      return c;
    };
    this.clients = { kms: (r) => get(r).kms, rds: (r) => get(r).rds, fsx: (r) => get(r).fsx };
  }

  in(region: string): RegionMocks {
    return this.mocks.get(region)!;
  }

  restore(): void {
    for (const m of this.mocks.values()) for (const s of [m.kms, m.rds, m.fsx]) s.restore();
  }
}

const tag = (tenantId: string) => [{ Key: 'Name', Value: 'x' }, { Key: TENANT_TAG, Value: tenantId }];
const kmsError = (name: string, message: string) => new KMSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
const rdsError = (name: string, message: string) => new RDSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 403 }, message });
const fsxError = (name: string, message: string) => new FSxServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });

/** kms:ListAliases denied by an SCP, as AWS words it for a role session. */
export const scpDenial = (region: string) =>
  kmsError('AccessDeniedException', `User: arn:aws:sts::123456789012:assumed-role/deployer/alice is not authorized to perform: kms:ListAliases on resource: * with an explicit deny in a service control policy (${region})`);

export interface Scenario {
  readonly name: string;
  readonly setup: (m: MockedRegions) => void;
  readonly status: 'clear' | 'found' | 'unchecked';
  /** Text the verdict must contain: regions, APIs, evidence, errors. */
  readonly mentions: readonly string[];
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'absent everywhere', setup: () => undefined, status: 'clear', mentions: ['no cell outside ap-southeast-2', 'eu-west-2', 'us-east-1'] },
  {
    name: 'present only in the pinned region',
    setup: (m) => {
      m.in(PINNED).kms.on(ListAliasesCommand).resolves({ Aliases: [{ AliasName: 'alias/cellkit/acme/data' }, { AliasName: 'alias/cellkit/acme/seal' }] });
      m.in(PINNED).rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'acme-db', TagList: tag('acme') }] });
      m.in(PINNED).fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: 'fs-0acme', Tags: tag('acme') }] });
    },
    status: 'clear',
    mentions: ['no cell outside ap-southeast-2'],
  },
  {
    name: "other tenants' resources and the guard's own key alias elsewhere are not evidence",
    setup: (m) => {
      m.in('eu-west-1').kms.on(ListAliasesCommand).resolves({ Aliases: [{ AliasName: 'alias/cellkit/acme/guard' }, { AliasName: 'alias/cellkit/acme-corp/data' }, { AliasName: 'alias/cellkit/globex/seal' }] });
      m.in('eu-west-1').rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'globex-db', TagList: tag('globex') }, { DBInstanceIdentifier: 'untagged' }] });
      m.in('eu-west-1').fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: 'fs-0other', Tags: [{ Key: 'acme', Value: TENANT_TAG }] }] });
    },
    status: 'clear',
    mentions: ['no cell outside ap-southeast-2'],
  },
  {
    name: 'KMS data alias in another region',
    setup: (m) => void m.in('eu-west-1').kms.on(ListAliasesCommand).resolves({ Aliases: [{ AliasName: 'alias/aws/rds' }, { AliasName: 'alias/cellkit/acme/data' }] }),
    status: 'found',
    mentions: ['already lives in eu-west-1', 'KMS alias alias/cellkit/acme/data', 'refusing to deploy its cell to ap-southeast-2'],
  },
  {
    name: 'KMS seal alias on the second page',
    setup: (m) => {
      m.in('us-east-1').kms.on(ListAliasesCommand).resolves({ Aliases: [{ AliasName: 'alias/aws/ebs' }], NextMarker: 'page-2', Truncated: true });
      m.in('us-east-1').kms.on(ListAliasesCommand, { Marker: 'page-2' }).resolves({ Aliases: [{ AliasName: 'alias/cellkit/acme/seal' }], Truncated: false });
    },
    status: 'found',
    mentions: ['already lives in us-east-1', 'KMS alias alias/cellkit/acme/seal'],
  },
  {
    name: 'RDS instance tagged for the tenant in another region',
    setup: (m) => void m.in('eu-central-1').rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'acme-db', TagList: tag('acme') }] }),
    status: 'found',
    mentions: ['already lives in eu-central-1', 'RDS instance acme-db'],
  },
  {
    name: 'RDS instance on the second page',
    setup: (m) => {
      m.in('eu-west-2').rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'other-db', TagList: tag('globex') }], Marker: 'page-2' });
      m.in('eu-west-2').rds.on(DescribeDBInstancesCommand, { Marker: 'page-2' }).resolves({ DBInstances: [{ DBInstanceIdentifier: 'acme-db-old', TagList: tag('acme') }] });
    },
    status: 'found',
    mentions: ['already lives in eu-west-2', 'RDS instance acme-db-old'],
  },
  {
    name: 'FSx file system tagged for the tenant in another region',
    setup: (m) => void m.in('ap-southeast-1').fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: 'fs-0123456789abcdef0', Tags: tag('acme') }] }),
    status: 'found',
    mentions: ['already lives in ap-southeast-1', 'FSx file system fs-0123456789abcdef0'],
  },
  {
    name: 'FSx file system on the second page',
    setup: (m) => {
      m.in('eu-west-1').fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: 'fs-0other', Tags: tag('globex') }], NextToken: 'page-2' });
      m.in('eu-west-1').fsx.on(DescribeFileSystemsCommand, { NextToken: 'page-2' }).resolves({ FileSystems: [{ FileSystemId: 'fs-0acme', Tags: tag('acme') }] });
    },
    status: 'found',
    mentions: ['already lives in eu-west-1', 'FSx file system fs-0acme'],
  },
  {
    name: 'throttling in one region',
    setup: (m) => void m.in('eu-west-2').kms.on(ListAliasesCommand).rejects(kmsError('ThrottlingException', 'Rate exceeded')),
    status: 'unchecked',
    mentions: ['could not check eu-west-2', 'eu-west-2 kms:ListAliases (ThrottlingException: Rate exceeded)', 'failing closed'],
  },
  {
    name: 'access denied in one region',
    setup: (m) => void m.in('us-east-1').rds.on(DescribeDBInstancesCommand).rejects(rdsError('AccessDenied', 'User is not authorized to perform: rds:DescribeDBInstances')),
    status: 'unchecked',
    mentions: ['could not check us-east-1', 'us-east-1 rds:DescribeDBInstances (AccessDenied: User is not authorized'],
  },
  {
    name: 'no answer within the budget in one region',
    setup: (m) => void m.in('eu-central-1').fsx.on(DescribeFileSystemsCommand).callsFake(() => new Promise(() => undefined)),
    status: 'unchecked',
    mentions: ['could not check eu-central-1', `eu-central-1 fsx:DescribeFileSystems (GuardTimeoutError: no answer within ${TEST_TIMEOUT_MS} ms)`],
  },
  {
    name: "the SDK's own request timeout in one region",
    setup: (m) => void m.in('ap-southeast-1').kms.on(ListAliasesCommand).rejects(Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' })),
    status: 'unchecked',
    mentions: ['could not check ap-southeast-1', 'ap-southeast-1 kms:ListAliases (TimeoutError: Connection timed out after 3000 ms)'],
  },
  {
    name: 'network error in one region',
    setup: (m) => void m.in('eu-west-1').rds.on(DescribeDBInstancesCommand).rejects(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })),
    status: 'unchecked',
    mentions: ['could not check eu-west-1', 'eu-west-1 rds:DescribeDBInstances (Error (ECONNRESET): read ECONNRESET)'],
  },
  {
    name: 'error on a later page',
    setup: (m) => {
      m.in('us-east-1').fsx.on(DescribeFileSystemsCommand).resolves({ FileSystems: [], NextToken: 'page-2' });
      m.in('us-east-1').fsx.on(DescribeFileSystemsCommand, { NextToken: 'page-2' }).rejects(fsxError('InternalServerError', 'Service unavailable'));
    },
    status: 'unchecked',
    mentions: ['us-east-1 fsx:DescribeFileSystems (InternalServerError: Service unavailable)'],
  },
  {
    // The denial text AWS returns under an SCP ("Troubleshoot access denied error messages", IAM User Guide).
    name: 'a service control policy denies every other region',
    setup: (m) => {
      for (const region of ALLOWED.filter((r) => r !== PINNED)) m.in(region).kms.on(ListAliasesCommand).rejects(scpDenial(region));
    },
    status: 'unchecked',
    mentions: ['could not check eu-west-2, eu-central-1, eu-west-1, us-east-1, ap-southeast-1', 'with an explicit deny in a service control policy', 'failing closed'],
  },
  {
    name: 'evidence in one region and an error in another: found wins, the error is still named',
    setup: (m) => {
      m.in('eu-west-1').kms.on(ListAliasesCommand).resolves({ Aliases: [{ AliasName: 'alias/cellkit/acme/data' }] });
      m.in('us-east-1').kms.on(ListAliasesCommand).rejects(kmsError('AccessDeniedException', 'not authorized'));
    },
    status: 'found',
    mentions: ['already lives in eu-west-1', 'Also could not check: us-east-1 kms:ListAliases (AccessDeniedException: not authorized)'],
  },
];
