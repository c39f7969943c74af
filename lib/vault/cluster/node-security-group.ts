import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { VAULT_API_PORT, VAULT_CLUSTER_PORT } from '../vault-config';
import { vaultClusterError } from './node-constants';

export interface VaultNodeSecurityGroupProps {
  readonly tenantId: string;
  readonly vpc: ec2.IVpc;
  /** The company's application plane: may reach Vault on 8200. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  /** The database Vault's database secrets engine connects to. */
  readonly database: {
    /** The database's security group side: Vault is allowed out to it on `port`. */
    readonly connections: ec2.IConnectable;
    /** A TCP port, 1-65535 (may be a token). */
    readonly port: number;
  };
}

/**
 * The Vault servers' security group: no outbound rule but HTTPS and the database, 8201 between servers
 * only, 8200 from peers and the application plane (the load balancer adds its own rule). No port 22.
 *
 * Part of VaultCluster, not a construct of its own: `SecurityGroup` is created in the given scope, so
 * its logical ID and those of its rules stay the cluster's (docs/vault.md, "How the cluster code is split").
 */
export class VaultNodeSecurityGroup {
  readonly securityGroup: ec2.SecurityGroup;
  /** The servers' side, default port 8200. */
  readonly connections: ec2.Connections;

  constructor(scope: Construct, props: VaultNodeSecurityGroupProps) {
    const port = props.database.port;
    if (!Token.isUnresolved(port) && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      throw vaultClusterError(props.tenantId, `database.port must be a TCP port, a whole number from 1 to 65535; got ${port}`);
    }
    this.securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
      vpc: props.vpc,
      description: `cellkit ${props.tenantId}: Vault servers`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(VAULT_API_PORT) });
    const peers = this.securityGroup.connections;
    // Raft join talks to peers' API port; replication and request forwarding use the cluster port.
    peers.allowInternally(ec2.Port.tcp(VAULT_API_PORT), 'Vault API between servers (Raft join)');
    peers.allowInternally(ec2.Port.tcp(VAULT_CLUSTER_PORT), 'Vault cluster port (Raft, forwarding) between servers only');
    peers.allowFrom(props.clientSecurityGroup, ec2.Port.tcp(VAULT_API_PORT), 'Vault API from the application plane');
    // With egress "none" there is no route to the internet: 443 reaches only VPC endpoints and S3.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS endpoints, S3 and (egress nat) releases.hashicorp.com');
    peers.allowTo(props.database.connections, ec2.Port.tcp(port), 'Vault database secrets engine');
  }
}
