import { diffResources, prepareDesired, type DriftComparison, type PreparedDesired } from '../diff/diff.js';
import type { Defaulter } from '../diff/normalize.js';
import { cloneJson, MANAGED_BY_LABEL, MANAGED_BY_VALUE, type IgnoreRule, type Inventory, type KubeObject, type SyncPolicy } from '../model.js';
import { planSync, type SyncPlan } from './plan.js';

/** Desired objects as Weft applies them: each carries the managed-by label. */
export function markManaged(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((o) => {
    const out = cloneJson(o);
    out.metadata.labels = { ...(out.metadata.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
    return out;
  });
}

export interface AssessOptions {
  policy: SyncPolicy;
  inventory: Inventory;
  ignore?: readonly IgnoreRule[];
  defaults?: Defaulter;
  trigger?: 'auto' | 'manual';
  prune?: boolean;
}

/**
 * Diff then plan: what is different and what the policy does about it. Pure; the reconciler and
 * the drift fixtures both go through here.
 * @example assess(desired, live, { policy: { automated: { selfHeal: true } }, inventory: new Map() }).plan.apply
 */
export function assess(desired: readonly KubeObject[] | PreparedDesired, live: readonly KubeObject[], options: AssessOptions): { comparison: DriftComparison; plan: SyncPlan } {
  const prepared = Array.isArray(desired) ? prepareManaged(desired, options.defaults) : (desired as PreparedDesired);
  const comparison = diffResources(prepared, live, { ignore: options.ignore, inventory: options.inventory, defaults: options.defaults });
  const plan = planSync(comparison, { policy: options.policy, inventory: options.inventory, trigger: options.trigger ?? 'auto', prune: options.prune });
  return { comparison, plan };
}

/** Desired objects marked as Weft's, normalised and hashed: computed once per source revision. */
export function prepareManaged(desired: readonly KubeObject[], defaults?: Defaulter): PreparedDesired {
  return prepareDesired(markManaged(desired), defaults);
}
