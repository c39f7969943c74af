/**
 * A Control Tower proactive control that the synth gate does not check, and why. The bundled rules
 * cannot be suppressed per resource, so a control is either on for every cell or off for every cell:
 * `coveredBy` names the per-resource cdk-nag rules (and the cellkit test) that still hold wherever the
 * control matters.
 */
export interface DisabledControl {
  /** Control Tower control id, e.g. `CT.LAMBDA.PR.3`. */
  readonly control: string;
  /** Why a reviewer can accept the control being off. */
  readonly reason: string;
  /** What still enforces the control's intent, resource by resource. */
  readonly coveredBy: string;
}

/**
 * The one list of Control Tower controls off in the synth gate; read by the gate, `cellkit evidence`
 * and docs/compliance.md. An account whose Control Tower enables one of these controls refuses the
 * resource named in the reason at deploy time: see docs/compliance.md.
 */
export const DISABLED_CONTROLS: readonly DisabledControl[] = [
  {
    control: 'CT.LAMBDA.PR.3',
    reason:
      'Two functions run outside the cell VPC, both read-only towards tenant data: the region guard, which must answer before the VPC (or any other cell resource) exists, and calls only list/describe APIs in the other allowed regions; and aws-cdk-lib\'s handler for `restrictDefaultSecurityGroup`, a CDK-managed provider that cannot be placed in a VPC and only removes the rules of this VPC\'s default security group.',
    coveredBy:
      'cdk-nag `HIPAA.Security-LambdaInsideVPC`, `NIST.800.53.R5-LambdaInsideVPC`, `PCI.DSS.321-LambdaInsideVPC` on every function, acknowledged on the region guard only; test/compliance/control-tower.test.ts checks that every other AWS::Lambda::Function of every cell shape has a VpcConfig.',
  },
  {
    control: 'CT.RDS.PR.1',
    reason:
      'Dev cells run a single-AZ database by the sizing the tenant chose (`sizing: dev`): it halves the database cost and a dev cell promises no AZ-failure availability. Every prod cell is Multi-AZ.',
    coveredBy:
      'cdk-nag `HIPAA.Security-RDSMultiAZSupport`, `NIST.800.53.R5-RDSMultiAZSupport`, `PCI.DSS.321-RDSMultiAZSupport` on every instance, acknowledged only when the sizing is dev; test/compliance/control-tower.test.ts checks that prod cells set MultiAZ.',
  },
  {
    control: 'CT.S3.PR.2',
    reason:
      'The Vault snapshot bucket has no S3 server access logs: its objects are SSE-KMS with the data key and bucket keys off, so every read is a KMS Decrypt recorded by CloudTrail with its caller, and Object Lock keeps every version for the retention. A log bucket in the cell cannot meet the controls itself: CT.S3.PR.9 asks every bucket for Object Lock, and a bucket with Object Lock cannot receive server access logs (S3 User Guide, "Configuring S3 Object Lock"); it would also have to log to itself (CT.S3.PR.2), which the S3 User Guide advises against.',
    coveredBy:
      'cdk-nag `AwsSolutions-S1` and `*-S3BucketLoggingEnabled` on every bucket, acknowledged on the Vault snapshot bucket only; test/compliance/control-tower.test.ts checks that no other bucket acknowledges them.',
  },
  {
    control: 'CT.RDS.PR.13',
    reason:
      'The database\'s deletion protection is turned on right after it is created, by `Custom::CellkitDeletionProtection`, not in the template: a template with DeletionProtection true cannot roll back a failed first create (CloudFormation cannot delete a protected instance, the stack ends in ROLLBACK_FAILED and blocks the retry). The custom resource is `RetainExceptOnCreate`, so its Delete (protection off) runs only when the first create rolls back (docs/deploy-rollback.md).',
    coveredBy:
      'cdk-nag `AwsSolutions-RDS10`, `HIPAA.Security-` and `NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled` on every instance, acknowledged only on the database that `Custom::CellkitDeletionProtection` protects (test/rollback/deletion-protection.test.ts); `cellkit evidence` (`retention-90-days`) fails a cell whose database is protected neither in the template nor by that custom resource.',
  },
  {
    control: 'CT.ELASTICLOADBALANCING.PR.5',
    reason:
      'The Vault NLB\'s deletion protection is turned on right after create by `Custom::CellkitDeletionProtection`, for the same reason as CT.RDS.PR.13: a protected load balancer cannot be deleted by a create rollback (docs/deploy-rollback.md).',
    coveredBy:
      'cdk-nag `*-ELBDeletionProtectionEnabled` on every load balancer, acknowledged only on the Vault NLB that `Custom::CellkitDeletionProtection` protects; test/rollback/deletion-protection.test.ts checks every cell shape turns protection on for it right after create.',
  },
  {
    control: 'CT.ELASTICLOADBALANCING.PR.6',
    reason:
      'The Vault NLB has only a TCP listener (TLS ends on Vault), and NLB access logs are written for TLS listeners only (Elastic Load Balancing, "Access logs for your Network Load Balancer"): there would be nothing to log. Vault\'s two audit devices record every request and the VPC flow logs every connection.',
    coveredBy:
      'cdk-nag `AwsSolutions-ELB2` and `*-ELBLoggingEnabled` on every load balancer, acknowledged on the Vault NLB only; test/compliance/control-tower.test.ts checks that no other load balancer acknowledges them.',
  },
];
