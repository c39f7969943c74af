import * as crypto from 'crypto';

/** What the pipeline keeps per tenant after each wave: the deployed template's hash next to its evidence's. */
export interface DeploymentRecord {
  readonly tenant: string;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly pipelineExecutionId: string;
  /** SHA-256 of the template CloudFormation holds for the stack (canonical JSON). */
  readonly deployedTemplateSha256: string;
  /** SHA-256 of the template the gated synth wrote (canonical JSON). */
  readonly synthesizedTemplateSha256: string;
  /** SHA-256 of evidence/<tenant>.json as written by `cellkit evidence` for that synth. */
  readonly evidenceSha256: string;
  /** PASS or FAIL, from that evidence report. */
  readonly evidenceStatus: string;
  /** True when the running cell is exactly what the evidence was produced for. */
  readonly matchesEvidence: boolean;
}

/**
 * JSON with object keys sorted, so the same template always hashes the same however it was serialized.
 * `DependsOn` lists are sorted too: their order means nothing to CloudFormation (CloudFormation User Guide,
 * "DependsOn attribute"), and CDK writes them in another order for a template it re-reads (CfnInclude).
 */
export function canonicalJson(value: unknown): string {
  const canon = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) return key === 'DependsOn' ? [...v].sort().map((x) => canon(x)) : v.map((x) => canon(x));
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k], k)]));
    return v;
  };
  return JSON.stringify(canon(value));
}

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

export interface RecordInput {
  readonly tenant: string;
  readonly account: string;
  readonly region: string;
  readonly pipelineExecutionId: string;
  /** Text of the synthesized template file. */
  readonly synthesized: string;
  /**
   * What `aws cloudformation get-template --query TemplateBody --output json` printed: the AWS CLI returns a
   * JSON template body as a JSON object, a YAML one as a string.
   */
  readonly deployed: string;
  /** Text of evidence/<tenant>.json. */
  readonly evidence: string;
}

/** Builds the record; throws with the file's role named when an input is not the JSON it should be. */
export function deploymentRecord(input: RecordInput): DeploymentRecord {
  const parse = (text: string, what: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Error(`tenant "${input.tenant}": the ${what} is not valid JSON: ${(e as Error).message}`);
    }
  };
  let deployed = parse(input.deployed, 'deployed template');
  if (typeof deployed === 'string') deployed = parse(deployed, 'deployed template body');
  const synthesized = canonicalJson(parse(input.synthesized, 'synthesized template'));
  const evidence = parse(input.evidence, 'evidence report') as { status?: unknown; tenant?: unknown };
  if (evidence.tenant !== input.tenant) throw new Error(`tenant "${input.tenant}": the evidence report is for tenant ${JSON.stringify(evidence.tenant)}`);
  const deployedSha = sha256(canonicalJson(deployed));
  const synthesizedSha = sha256(synthesized);
  return {
    tenant: input.tenant,
    account: input.account,
    region: input.region,
    stackName: `Cell-${input.tenant}`,
    pipelineExecutionId: input.pipelineExecutionId,
    deployedTemplateSha256: deployedSha,
    synthesizedTemplateSha256: synthesizedSha,
    evidenceSha256: sha256(input.evidence),
    evidenceStatus: String(evidence.status),
    matchesEvidence: deployedSha === synthesizedSha,
  };
}
