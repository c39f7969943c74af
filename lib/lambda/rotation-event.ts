// What Secrets Manager sends a rotation function, one call per step (Secrets Manager User Guide,
// "Lambda rotation functions"). Runs in Lambda; no CDK.

export interface RotationEvent {
  readonly Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}
