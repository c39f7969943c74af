// Evidence control: Vault's seal key rotates every 365 days, is retained, and only Vault may use it.
import { cellKeyAlias } from '../../keys/key-alias';
import { CellContext, Control } from '../control';
import { CfnResource, prop, showValue } from '../template-model';

export const vaultSeal: Control = {
  id: 'vault-seal',
  title: 'Vault is sealed with a KMS key rotated every 365 days, usable only by Vault',
  evaluate(ctx, c) {
    const key = ctx.sealKey;
    if (!c.require(key !== undefined, `no seal key (${cellKeyAlias(ctx.cell.cell.tenant, 'seal')}) in the template`)) return;
    const k = ctx.model.get(key!);
    c.see(key!, 'EnableKeyRotation', prop(k, 'Properties.EnableKeyRotation'));
    c.see(key!, 'RotationPeriodInDays', prop(k, 'Properties.RotationPeriodInDays'));
    c.see(key!, 'DeletionPolicy', k?.DeletionPolicy);
    c.require(prop(k, 'Properties.EnableKeyRotation') === true, 'seal key rotation is off');
    c.require(prop(k, 'Properties.RotationPeriodInDays') === 365, `seal key rotation period is ${showValue(prop(k, 'Properties.RotationPeriodInDays'))} days, not 365`);
    c.require(k?.DeletionPolicy === 'Retain' || k?.DeletionPolicy === 'RetainExceptOnCreate', 'the seal key is not retained on stack delete');
    const sealConfig = ctx.model.resources.find(([id, r]) => id !== key && JSON.stringify(r.Properties ?? {}).includes('awskms') && ctx.model.refersTo(r.Properties, key!));
    c.see(sealConfig?.[0] ?? '(none)', 'Vault seal', sealConfig ? 'seal "awskms" with this key' : '(absent)');
    c.require(sealConfig !== undefined, 'no Vault configuration seals with this key (seal "awskms")');
    const grants = policyStatementsOn(ctx, key!);
    const actions = [...new Set(grants.flatMap((s) => ([] as string[]).concat(s.Action as string | string[])))].sort();
    c.see('(IAM policies)', `actions on ${key}`, actions.join(', ') || '(none)');
    c.require(actions.join(',') === 'kms:Decrypt,kms:DescribeKey,kms:Encrypt', `IAM grants on the seal key are [${actions.join(', ')}], not exactly kms:Encrypt, kms:Decrypt, kms:DescribeKey`);
  },
};

function policyStatementsOn(ctx: CellContext, key: string): Record<string, unknown>[] {
  const m = ctx.model;
  return [...m.ofType('AWS::IAM::Policy'), ...m.ofType('AWS::IAM::ManagedPolicy'), ...m.ofType('AWS::IAM::Role')].flatMap(([, r]: [string, CfnResource]) => {
    const docs = [prop(r, 'Properties.PolicyDocument'), ...(((prop(r, 'Properties.Policies') as { PolicyDocument: unknown }[] | undefined) ?? []).map((p) => p.PolicyDocument))];
    return docs.flatMap((d) => ((d as { Statement?: Record<string, unknown>[] } | undefined)?.Statement ?? []).filter((s) => m.refersTo(s.Resource, key)));
  });
}
