// Evidence control: the region guard exists and every other resource waits for it.
import { Control } from '../control';

const GUARD_TYPE = /^Custom::\w*RegionGuard$/;

export const regionGuard: Control = {
  id: 'region-guard',
  title: 'The deploy-time region guard is present and runs before anything else is created',
  evaluate(ctx, c) {
    const m = ctx.model;
    const guards = m.resources.filter(([, r]) => GUARD_TYPE.test(r.Type));
    if (!c.require(guards.length === 1, `expected one region guard custom resource, found ${guards.length}`)) return;
    const [guard, resource] = guards[0];
    c.see(guard, 'Properties', { ...(resource.Properties ?? {}), ServiceToken: undefined });
    // The guard's own resources are what it depends on (transitively); everything else must wait for it.
    const own = new Set<string>([guard]);
    const visit = (id: string) => {
      const r = m.get(id);
      for (const d of [...m.dependsOn(id), ...m.references(r?.Properties)]) {
        if (own.has(d) || !m.get(d)) continue;
        own.add(d);
        visit(d);
      }
    };
    visit(guard);
    const waiting = m.resources.filter(([id, r]) => !own.has(id) && r.Type !== 'AWS::CDK::Metadata');
    const early = waiting.filter(([id]) => !m.dependsOn(id).includes(guard)).map(([id]) => id);
    c.see(guard, 'resources that wait for it', `${waiting.length - early.length} of ${waiting.length} (its own ${own.size - 1} excluded)`);
    c.require(early.length === 0, `${early.length} resources do not wait for the guard: ${early.slice(0, 5).join(', ')}${early.length > 5 ? ', ...' : ''}`);
  },
};
