import type { Diagnostic } from '../../engine/model/diagnostic.js';
import type { DriftComparison } from '../diff/diff.js';
import type { Inventory, KubeObject, SyncPolicy } from '../model.js';

/** Why an object is applied. */
export type ApplyReason = 'created-in-git' | 'changed-in-git' | 'self-heal' | 'manual';

export interface PlannedApply {
  key: string;
  reason: ApplyReason;
  /** The normalised desired object; target-specific ignore handling happens at apply time. */
  object: KubeObject;
}

export interface SyncPlan {
  apply: PlannedApply[];
  prune: Array<{ key: string; object: KubeObject }>;
  /** Drift left as is, with the reason (self-heal off, opt-out annotation, not owned, …). */
  skipped: Array<{ key: string; reason: string }>;
  /** Set when the safety checks refuse the whole sync; nothing is applied or pruned then. */
  refused?: Diagnostic;
  /** The inventory once the plan has been carried out. */
  inventory: Inventory;
}

export interface PlanOptions {
  policy: SyncPolicy;
  inventory: Inventory;
  /** `auto`: a poll, webhook or watch event, governed by `automated`. `manual`: an explicit sync. */
  trigger: 'auto' | 'manual';
  /** Manual syncs prune only when asked to. */
  prune?: boolean;
}

/**
 * Decides what to apply and prune. A difference whose desired object is the one Weft last applied
 * (same hash in the inventory) is a manual edit: healed only with `selfHeal` (or a manual sync).
 * A desired object that is new or changed in Git is applied under `automated`. Only owned objects
 * (managed-by label and inventory entry) are pruned, never more than half of the inventory, and
 * an empty source is refused unless `allowEmpty`.
 * @example planSync(diffResources(desired, live, { inventory }), { policy: { automated: { prune: true, selfHeal: true } }, inventory, trigger: 'auto' })
 */
export function planSync(comparison: DriftComparison, options: PlanOptions): SyncPlan {
  const { policy, inventory, trigger } = options;
  const automated = policy.automated;
  const mayApply = trigger === 'manual' || automated !== undefined;
  const mayHeal = trigger === 'manual' || automated?.selfHeal === true;
  const mayPrune = trigger === 'manual' ? options.prune === true : automated?.prune === true;
  const plan: SyncPlan = { apply: [], prune: [], skipped: [], inventory: new Map() };

  for (const r of comparison.report.resources) {
    const hash = comparison.desiredHash.get(r.key);
    if (r.state === 'Synced') {
      plan.inventory.set(r.key, hash!);
      continue;
    }
    if (r.state === 'Extra') {
      if (!r.owned) {
        plan.skipped.push({ key: r.key, reason: 'not owned by Weft (no managed-by label or not in the inventory): reported only' });
        continue;
      }
      const keep = () => plan.inventory.set(r.key, inventory.get(r.key)!);
      if (r.pruneDisabled) {
        plan.skipped.push({ key: r.key, reason: 'prune disabled by annotation weft.io/prune: disabled' });
        keep();
      } else if (!mayPrune) {
        plan.skipped.push({ key: r.key, reason: trigger === 'manual' ? 'prune not requested' : 'automated prune is off: reported only' });
        keep();
      } else plan.prune.push({ key: r.key, object: comparison.live.get(r.key)! });
      continue;
    }
    const previous = inventory.get(r.key);
    if (r.syncDisabled) {
      plan.skipped.push({ key: r.key, reason: 'sync disabled by annotation weft.io/sync: disabled' });
      if (previous) plan.inventory.set(r.key, previous);
      continue;
    }
    const manualEdit = previous === hash;
    const reason: ApplyReason = trigger === 'manual' ? 'manual' : manualEdit ? 'self-heal' : previous === undefined ? 'created-in-git' : 'changed-in-git';
    if (!mayApply || (manualEdit && !mayHeal)) {
      plan.skipped.push({ key: r.key, reason: !mayApply ? 'no automated sync policy: reported only' : `self-heal is off: ${r.state === 'Missing' ? 'deleted' : 'edited'} by hand, reported only` });
      if (previous) plan.inventory.set(r.key, previous);
      continue;
    }
    plan.apply.push({ key: r.key, reason, object: comparison.desired.get(r.key)! });
    plan.inventory.set(r.key, hash!);
  }

  const desiredCount = comparison.desired.size;
  const allowEmpty = automated?.allowEmpty === true;
  if (desiredCount === 0 && !allowEmpty && (mayApply || mayPrune)) {
    return refuse(plan, inventory, {
      code: 'WF_SYNC_EMPTY_SOURCE',
      severity: 'error',
      message: `The source renders no objects; syncing would leave ${inventory.size} owned object(s) without a definition`,
      hint: 'Check the source path and revision; set syncPolicy.automated.allowEmpty: true to sync an empty source on purpose.',
    });
  }
  const emptyOnPurpose = desiredCount === 0 && allowEmpty;
  if (!emptyOnPurpose && plan.prune.length > 0 && plan.prune.length > inventory.size / 2) {
    return refuse(plan, inventory, {
      code: 'WF_SYNC_MASS_PRUNE',
      severity: 'error',
      message: `Refusing to prune ${plan.prune.length} of ${inventory.size} owned objects (more than half)`,
      hint: 'A wrong path or revision often looks like this. Check the source; to remove that many on purpose, remove them in smaller commits or annotate the ones to keep with weft.io/prune: disabled.',
    });
  }
  return plan;
}

function refuse(plan: SyncPlan, inventory: Inventory, refused: Diagnostic): SyncPlan {
  return { apply: [], prune: [], skipped: plan.skipped, refused, inventory: new Map(inventory) };
}
