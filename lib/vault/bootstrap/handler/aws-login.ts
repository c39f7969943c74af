// The body of a Vault AWS IAM auth login (https://developer.hashicorp.com/vault/api-docs/auth/aws#login):
// a SigV4-signed sts:GetCallerIdentity request that Vault replays to STS to learn who signed it.
// The X-Vault-AWS-IAM-Server-ID header is signed too, so the request cannot be replayed to another Vault.
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

export const STS_GET_CALLER_IDENTITY = 'Action=GetCallerIdentity&Version=2011-06-15';

export async function awsIamLoginBody(
  p: { role: string; region: string; serverId: string; credentials: AwsCredentials; now?: Date },
): Promise<Record<string, string>> {
  const hostname = `sts.${p.region}.amazonaws.com`;
  const signer = new SignatureV4({ service: 'sts', region: p.region, credentials: p.credentials, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname,
      path: '/',
      headers: { host: hostname, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'x-vault-aws-iam-server-id': p.serverId },
      body: STS_GET_CALLER_IDENTITY,
    },
    { signingDate: p.now },
  );
  // Vault expects the headers as a JSON map of name -> list of values (Go's http.Header).
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k, [v]]));
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    role: p.role,
    iam_http_request_method: 'POST',
    iam_request_url: b64(`https://${hostname}/`),
    iam_request_body: b64(STS_GET_CALLER_IDENTITY),
    iam_request_headers: b64(JSON.stringify(headers)),
  };
}
