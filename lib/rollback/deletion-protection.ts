import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { AwsCustomResource, AwsSdkCall, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct, IDependable } from 'constructs';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, rules } from 'cdk-nag';
import { acknowledgeLambdaRules, awsManagedPolicyFinding } from '../compliance/nag-packs';
import { nagRuleId, nagRuleIds } from '../compliance/nag-rule-id';
import { DELETION_PROTECTION_TYPE } from './deletion-protection-type';

export interface DeletionProtectionProps {
  /** The cell VPC: the function runs in it, like every cell Lambda. */
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /**
   * What the function needs to reach RDS, Elastic Load Balancing and S3 (the CloudFormation response)
   * from the VPC: the custom resources wait for them, so a rollback deletes them only afterwards.
   */
  readonly networkPath: readonly IDependable[];
  /** Encrypts the function's log group. */
  readonly logKey: kms.IKey;
  readonly database: rds.DatabaseInstance;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Deletion protection that a failed first deploy can still roll back. The database and the Vault load
 * balancer are created without it (a protected resource cannot be deleted by a create rollback, which then
 * ends in ROLLBACK_FAILED). Right after each is created, a custom resource turns protection on. Its
 * DeletionPolicy is RetainExceptOnCreate, so CloudFormation calls its Delete (protection off) only when the
 * operation that created it rolls back; a later stack delete or replacement keeps it, and protection stays
 * on (CloudFormation user guide, DeletionPolicy attribute, RetainExceptOnCreate).
 */
export class DeletionProtection extends Construct {
  readonly database: AwsCustomResource;
  readonly loadBalancer: AwsCustomResource;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DeletionProtectionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Turns deletion protection on after create, and off only when that create rolls back',
    });
    this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    Validations.of(this.role).acknowledge({
      id: nagRuleId(AwsSolutionsChecks, rules.iam.IAMNoManagedPolicies, awsManagedPolicyFinding('service-role/AWSLambdaVPCAccessExecutionRole')),
      reason: 'AWS-maintained minimum for a Lambda function in a VPC (its network interfaces, its log): the network-interface actions accept no resource scope.',
    });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      roles: [this.role],
      description: 'Toggle deletion protection of the cell database and the Vault load balancer; write its own log',
      statements: [
        new iam.PolicyStatement({ sid: 'Database', actions: ['rds:ModifyDBInstance'], resources: [props.database.instanceArn] }),
        new iam.PolicyStatement({ sid: 'LoadBalancer', actions: ['elasticloadbalancing:ModifyLoadBalancerAttributes'], resources: [props.loadBalancer.loadBalancerArn] }),
        new iam.PolicyStatement({ sid: 'OwnLog', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      ],
    });

    // CDK writes deletion_protection.enabled=false by default; with no value in the template, no stack update
    // can switch the protection the custom resource turned on back off.
    props.loadBalancer.removeAttribute('deletion_protection.enabled');
    const common = {
      vpc: props.vpc, vpcSubnets: props.vpcSubnets, role: this.role, logGroup,
      installLatestAwsSdk: false, timeout: Duration.minutes(2), serviceTimeout: Duration.minutes(10),
    };
    const toggle = (on: boolean): { database: AwsSdkCall; loadBalancer: AwsSdkCall } => ({
      // The change is made right after create, when no other modification is pending.
      database: {
        service: 'RDS',
        action: 'ModifyDBInstance',
        parameters: { DBInstanceIdentifier: props.database.instanceIdentifier, DeletionProtection: on, ApplyImmediately: true },
        physicalResourceId: PhysicalResourceId.of(`deletion-protection:${props.database.instanceIdentifier}`),
      },
      loadBalancer: {
        service: 'ElasticLoadBalancingV2',
        action: 'ModifyLoadBalancerAttributes',
        parameters: { LoadBalancerArn: props.loadBalancer.loadBalancerArn, Attributes: [{ Key: 'deletion_protection.enabled', Value: String(on) }] },
        physicalResourceId: PhysicalResourceId.of(`deletion-protection:${props.loadBalancer.loadBalancerArn}`),
      },
    });
    const [on, off] = [toggle(true), toggle(false)];
    this.database = new AwsCustomResource(this, 'Database', {
      ...common,
      resourceType: DELETION_PROTECTION_TYPE,
      onCreate: on.database,
      // A replaced database gets protection too.
      onUpdate: on.database,
      onDelete: off.database,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.loadBalancer = new AwsCustomResource(this, 'LoadBalancer', {
      ...common,
      resourceType: DELETION_PROTECTION_TYPE,
      onCreate: on.loadBalancer,
      onUpdate: on.loadBalancer,
      onDelete: off.loadBalancer,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    for (const cr of [this.database, this.loadBalancer]) {
      // Its Delete runs during a rollback: the endpoints and routes it calls through must still be there.
      cr.node.addDependency(policy, ...props.networkPath);
    }
    this.acknowledgeFunction();
    const reason = (what: string, cr: string) =>
      `Deletion protection of the ${what} is turned on by the ${cr} custom resource (Custom::CellkitDeletionProtection) as soon as it exists, not in its template properties, so that a failed first deploy can still delete it (a protected resource makes the create rollback end in ROLLBACK_FAILED). The custom resource is RetainExceptOnCreate: protection is only ever turned off by the rollback of the operation that created it (docs/deploy-rollback.md).`;
    for (const rule of nagRuleIds([AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks], rules.rds.RDSInstanceDeletionProtectionEnabled)) {
      Validations.of(props.database).acknowledge({ id: rule, reason: reason('database', this.database.node.path) });
    }
    for (const rule of nagRuleIds([HIPAASecurityChecks, NIST80053R5Checks], rules.elb.ELBDeletionProtectionEnabled)) {
      Validations.of(props.loadBalancer).acknowledge({ id: rule, reason: reason('Vault load balancer', this.loadBalancer.node.path) });
    }
  }

  /** The AwsCustomResource function is one per stack; its findings are acknowledged on it. */
  private acknowledgeFunction(): void {
    const fn = Stack.of(this).node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
    if (!fn) return;
    acknowledgeLambdaRules(fn, {
      concurrency:
        'Invoked only by CloudFormation for this stack\'s custom resources (create, and delete on a create rollback); reserving concurrency would fail the first deploy in accounts with the default Lambda quota.',
      dlq:
        'Invoked only by CloudFormation as a custom resource; every failure is a stack event and in the encrypted log, and a dead-letter queue would hold events of operations CloudFormation has already failed.',
    });
  }
}
