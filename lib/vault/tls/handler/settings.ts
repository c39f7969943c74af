// Settings shared by the TLS issuer handler and its construct. No imports: the construct loads this at synth.

/** How long what the issuer creates stays valid, and when the rotation renews the server certificate. */
export const TLS_POLICY = {
  /** The CA lives ten years: clients trust it, so replacing it is a planned event (docs/vault-tls.md). */
  caValidityDays: 3650,
  /** Short-lived server certificates: a leaked key is useful for at most 90 days. */
  serverValidityDays: 90,
  /** Secrets Manager rotates every 30 days, so a served certificate always has 60 days or more left. */
  rotationDays: 30,
  /** A certificate with fewer days left is renewed on the next deploy, and `vault status` calls it unhealthy. */
  minRemainingDays: 30,
} as const;

/** Environment variables the handler reads when Secrets Manager invokes it for rotation. */
export const TLS_ENV = {
  tenantId: 'CELLKIT_TENANT_ID',
  tlsSecretArn: 'CELLKIT_TLS_SECRET_ARN',
  caSecretArn: 'CELLKIT_CA_SECRET_ARN',
  serverName: 'CELLKIT_SERVER_NAME',
  loadBalancerDnsName: 'CELLKIT_LB_DNS_NAME',
} as const;

/** The custom resource's properties, set by the VaultTlsIssuer construct. */
export interface TlsIssuerProperties {
  readonly TenantId: string;
  readonly TlsSecretArn: string;
  readonly CaSecretArn: string;
  readonly ServerName: string;
  readonly LoadBalancerDnsName: string;
}
