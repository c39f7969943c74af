// Every readiness check, in the order they run. Adding a check is one file in this folder plus one line here.
import { ReadinessCheck } from '../check';
import { cdkBootstrap } from './cdk-bootstrap';
import { credentialsAccount } from './credentials-account';
import { regionGuard } from './region-guard';
import { vaultArtifact } from './vault-artifact';
import { vaultRelease } from './vault-release';

export const READINESS_CHECKS: readonly ReadinessCheck[] = [
  credentialsAccount, // a gate: every later answer would describe another account
  cdkBootstrap,
  regionGuard,
  vaultArtifact,
  vaultRelease,
];
