// The two small interfaces the rolling replacement talks through. The AWS adapter (aws.ts)
// implements them with SSM Run Command, Auto Scaling, EC2 and S3; the tests' simulated cluster
// answers the same calls. No aws-cdk-lib here: this runs on the operator's machine.

/** One instance of the Vault Auto Scaling group. */
export interface FleetInstance {
  /** EC2 instance id; also the node's Raft node id (set at boot from instance metadata). */
  readonly instanceId: string;
  /** Auto Scaling lifecycle state, e.g. `InService`, `Pending`, `Terminating`. */
  readonly lifecycleState: string;
  /** Launched from the group's current launch template version (AMI, user data and so the Vault version). */
  readonly current: boolean;
}

export interface FleetView {
  readonly groupName: string;
  /** The group's desired capacity: the node count (min = max = desired). */
  readonly desired: number;
  readonly instances: readonly FleetInstance[];
}

/** The Auto Scaling side. */
export interface NodeFleet {
  describe(): Promise<FleetView>;
  /** Takes the instance out of the group, keeping desired capacity, so the group launches a replacement; the instance keeps running. */
  detach(instanceId: string): Promise<void>;
  /** Terminates an instance that was detached. */
  terminate(instanceId: string): Promise<void>;
}

/** `vault status` of one node. */
export interface NodeStatus {
  readonly initialized: boolean;
  readonly sealed: boolean;
  readonly version: string;
  /** This node is the active (leader) node. */
  readonly active: boolean;
}

/** One server in `sys/storage/raft/autopilot/state`. */
export interface AutopilotServer {
  readonly id: string;
  readonly healthy: boolean;
  /** `leader`, `voter` or `non-voter`. */
  readonly status: string;
}

/** `GET sys/storage/raft/autopilot/state` as Vault reports it (fields used here). */
export interface AutopilotState {
  readonly healthy: boolean;
  readonly failureTolerance: number;
  /** Node id of the leader; empty while there is none. */
  readonly leader: string;
  readonly voters: readonly string[];
  readonly servers: Readonly<Record<string, AutopilotServer>>;
}

/** A Raft snapshot written to the cell's snapshot bucket. */
export interface SnapshotRef {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string;
  /** Hex SHA-256 of the snapshot file, computed on the node. */
  readonly sha256: string;
  readonly size: number;
}

/** The Vault side, reached through a node (the operator's machine cannot reach Vault itself). */
export interface ClusterApi {
  status(instanceId: string): Promise<NodeStatus>;
  autopilotState(via: string): Promise<AutopilotState>;
  /** Saves a snapshot on `via`, checks it with `vault operator raft snapshot inspect`, uploads it. */
  snapshot(via: string): Promise<SnapshotRef>;
  /** Stops Vault gracefully (SIGINT): an active node gives up leadership. */
  stopVault(instanceId: string): Promise<void>;
  startVault(instanceId: string): Promise<void>;
  /** `sys/storage/raft/remove-peer` through `via`. */
  removePeer(via: string, nodeId: string): Promise<void>;
}

/** Checks an uploaded snapshot from outside the cluster; returns the problem, or undefined when it is there and intact. */
export interface SnapshotStore {
  verify(ref: SnapshotRef): Promise<string | undefined>;
}

/** One roll per cluster at a time. */
export interface RollLock {
  /** Atomic: succeeds only when nobody holds the lock. */
  acquire(holder: string): Promise<{ readonly acquired: true } | { readonly acquired: false; readonly heldBy: string }>;
  release(): Promise<void>;
}
