import * as path from 'path';
import { AspectPriority, Aspects, CfnResource, CustomResource, Duration, IAspect, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks, rules } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import { cloudWatchLogsStatement, denyGrantsExceptForAwsServicesStatement, keyAdminStatement } from '../keys/cell-keys';
import { cellKeyAlias } from '../keys/key-alias';
import { TENANT_ID_PATTERN, TENANT_ID_RULE } from '../registry/tenant-spec';
import { GUARD_APIS, guardRoleName } from './guard-role';
import type { GuardProperties } from './handler';
import { ANY_RESOURCE_FINDING, acknowledgeLambdaRules } from '../compliance/nag-packs';
import { nagRuleId } from '../compliance/nag-rule-id';
import { HANDLER_BUNDLE_CACHE, handlerBundleDir, handlerFolderInputs } from '../lambda/handler-bundle';

/** Everything the guard's role may do besides writing its own log: read-only, and IAM cannot scope these to a resource. */
export const GUARD_READ_ACTIONS: readonly string[] = [...GUARD_APIS].sort();

/**
 * GUARD_APIS for messages and acknowledgment reasons, as "a, b and c". Here, not in guard-role.ts, so
 * the guard's Lambda bundle (which includes guard-role.ts) stays as it is.
 */
export const GUARD_APIS_PROSE = `${GUARD_APIS.slice(0, -1).join(', ')} and ${GUARD_APIS[GUARD_APIS.length - 1]}`;

/** How long CloudFormation waits for the guard's answer before it fails the resource. */
export const GUARD_SERVICE_TIMEOUT = Duration.minutes(5);

export interface RegionGuardProps {
  /** The tenant whose cell this stack holds. */
  readonly tenantId: string;
  /** The tenant's pinned region; must be the stack's region. */
  readonly pinnedRegion: string;
  /** Every allowed region from regions.json, the pinned one included. */
  readonly allowedRegions: readonly string[];
  /** Tag key carrying the tenant id on the cell's resources. */
  readonly tenantTagKey: string;
  /** cellkit version: a new version re-runs the guard on update. */
  readonly cellkitVersion: string;
  /**
   * How long the guard's log is kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Deploy-time region guard: a custom resource that every other resource of the stack depends on.
 * Its Lambda looks for the tenant in every other allowed region and fails the deployment, before
 * anything else is created, if the tenant lives elsewhere or a region cannot be checked.
 */
export class RegionGuard extends Construct {
  /** Encrypts the guard's log only; the cell's keys are created after the guard answers. */
  readonly logKey: kms.Key;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly function: lambda.Function;
  /** The custom resource every other resource depends on. */
  readonly check: CustomResource;

  constructor(scope: Construct, id: string, props: RegionGuardProps) {
    super(scope, id);
    const { tenantId, pinnedRegion } = props;
    const fail = (field: string, problem: string) => new Error(`RegionGuard for tenant "${tenantId}": ${field} ${problem}`);
    if (!TENANT_ID_PATTERN.test(tenantId)) throw fail('tenantId', `must be ${TENANT_ID_RULE}; got ${JSON.stringify(tenantId)}`);
    if (new Set(props.allowedRegions).size !== props.allowedRegions.length) throw fail('allowedRegions', `must not repeat a region; got ${props.allowedRegions.join(', ')}`);
    if (!props.allowedRegions.includes(pinnedRegion)) throw fail('pinnedRegion', `must be one of the allowed regions (${props.allowedRegions.join(', ')}); got ${pinnedRegion}`);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region) || stack.region !== pinnedRegion) {
      throw fail('pinnedRegion', `must equal the stack's concrete region; got ${pinnedRegion}, stack region ${Token.isUnresolved(stack.region) ? '(not set)' : stack.region}`);
    }
    if (!props.tenantTagKey) throw fail('tenantTagKey', 'must not be empty');

    // A key of its own: the cell's data key must not exist before the guard has answered.
    this.logKey = new kms.Key(this, 'LogKey', {
      description: `cellkit ${tenantId}: region guard log`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({ statements: [keyAdminStatement(), denyGrantsExceptForAwsServicesStatement(), cloudWatchLogsStatement(stack)] }),
    });
    // Unnamed, so a retained log group of a rolled-back attempt never blocks the next one.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: this.logKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      // A fixed name, so the account's service control policy can exempt exactly this role (see scp.ts).
      roleName: guardRoleName(tenantId, pinnedRegion),
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `cellkit ${tenantId}: region guard, read-only look-ups in the other allowed regions`,
    });
    const readPolicy = new iam.ManagedPolicy(this, 'ReadPolicy', {
      roles: [this.role],
      description: 'List KMS aliases, describe RDS instances and FSx file systems in any region',
      statements: [new iam.PolicyStatement({ actions: [...GUARD_READ_ACTIONS], resources: ['*'] })],
    });
    Validations.of(readPolicy).acknowledge({
      id: nagRuleId(AwsSolutionsChecks, rules.iam.IAMNoWildcardPermissions, ANY_RESOURCE_FINDING),
      reason: `${GUARD_APIS_PROSE} are list/describe calls that IAM cannot scope to a resource; they must cover every allowed region, and the policy holds no other action.`,
    });
    const logPolicy = new iam.ManagedPolicy(this, 'LogPolicy', {
      roles: [this.role],
      description: 'Write the region guard log to its own log group',
      statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] })],
    });

    this.function = new lambda.Function(this, 'Function', {
      description: `cellkit ${tenantId}: refuses the deployment if the tenant lives in another region`,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(guardBundleDir()),
      role: this.role,
      logGroup: this.logGroup,
      timeout: Duration.seconds(90),
      memorySize: 256,
    });
    this.function.node.addDependency(readPolicy, logPolicy);
    acknowledgeLambdaRules(this.function, {
      insideVpc:
        'The region guard must reach KMS, RDS and FSx endpoints of the other allowed regions, which a cell VPC (egress may be "none", endpoints are for its own region) cannot; it runs before the VPC exists and holds no data.',
      concurrency:
        'CloudFormation invokes it once per deployment of this stack; reserving concurrency would fail the first deployment in new accounts whose Lambda quota is 10 (AWS keeps 10 executions unreserved).',
      dlq:
        'Invoked only by CloudFormation as a custom resource; the handler always answers CloudFormation before its timeout, and the stack events and the encrypted log record every failure. A dead-letter queue would hold events of deployments CloudFormation has already failed.',
    });

    const properties: GuardProperties = {
      TenantId: tenantId,
      PinnedRegion: pinnedRegion,
      AllowedRegions: [...props.allowedRegions],
      TenantTagKey: props.tenantTagKey,
      CellkitVersion: props.cellkitVersion,
    };
    this.check = new CustomResource(this, 'Check', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::CellkitRegionGuard',
      properties: { ...properties },
      // CloudFormation waits 3600 s by default for a handler that never answers (crashed, killed, or its
      // answer lost): "AWS::CloudFormation::CustomResource, ServiceTimeout", CloudFormation Template
      // Reference (1-3600 s). The handler answers within its 90 s timeout; 5 minutes leave room for
      // Lambda's own retry of a crashed asynchronous invocation.
      serviceTimeout: GUARD_SERVICE_TIMEOUT,
    });

    // The check does not need the alias, so it waits too: a refused attempt leaves only the key and its log.
    const alias = this.logKey.addAlias(cellKeyAlias(tenantId, 'guard'));
    (alias.node.defaultChild as CfnResource).addResourceDependency(this.check.node.defaultChild as CfnResource);

    Aspects.of(stack).add(new DependOnGuard(this), { priority: AspectPriority.MUTATING });
  }
}

/** CloudFormation resources outside the guard that need no guard: CDK's own metadata. */
const UNGUARDED_TYPES = new Set(['AWS::CDK::Metadata']);

/** Makes every other CloudFormation resource of the stack wait for the guard's answer. */
class DependOnGuard implements IAspect {
  constructor(private readonly guard: RegionGuard) {}

  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || UNGUARDED_TYPES.has(node.cfnResourceType)) return;
    if (node.node.scopes.includes(this.guard) || Stack.of(node) !== Stack.of(this.guard)) return;
    node.addResourceDependency(this.guard.check.node.defaultChild as CfnResource);
  }
}

/** Where guard bundles are cached (see HANDLER_BUNDLE_CACHE). */
export const GUARD_BUNDLE_CACHE = path.join(HANDLER_BUNDLE_CACHE, 'region-guard');

/**
 * The guard's handler bundle, built once per process and cached by the hash of its inputs.
 * @param cacheDir where bundles are cached (tests pass another folder)
 */
export function guardBundleDir(cacheDir: string = GUARD_BUNDLE_CACHE): string {
  const guardDir = __dirname;
  return handlerBundleDir(
    {
      name: 'region-guard',
      entry: path.join(guardDir, 'handler', 'index.ts'),
      // The guard's own sources and the lock file that pins the SDK clients bundled with them.
      inputs: () => handlerFolderInputs(path.join(guardDir, 'handler'), [path.join(guardDir, 'region-check.ts'), path.join(guardDir, 'guard-role.ts'), path.join(guardDir, '..', 'keys', 'key-alias.ts'), path.join(guardDir, '..', 'lambda', 'cfn-response.ts')]),
    },
    cacheDir,
  );
}
