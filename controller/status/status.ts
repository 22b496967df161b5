import type { Diagnostic } from '../../engine/model/diagnostic.js';
import type { DriftState, FieldChange } from '../diff/diff.js';
import type { Health } from '../health/health.js';

/** A Kubernetes-style condition. */
export interface Condition {
  type: 'Ready' | 'Reconciling' | 'Stalled';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** One object's state after the last reconcile. */
export interface ResourceStatus {
  key: string;
  kind: string;
  namespace: string;
  name: string;
  state: DriftState;
  /** What the last reconcile did: applied, pruned, skipped (with the reason) or failed (with the error). */
  action?: 'applied' | 'pruned' | 'skipped' | 'failed';
  message?: string;
  changes?: FieldChange[];
  owned?: boolean;
  /** From the live object's status, when it has one (see `health/health.ts`). */
  health?: Health;
}

/** The outcome of one reconcile. */
export interface ReconcileRecord {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  trigger: 'poll' | 'webhook' | 'watch' | 'manual' | 'start';
  revision?: string;
  result: 'synced' | 'drift' | 'refused' | 'failed';
  applied: number;
  pruned: number;
  failed: number;
  /** Drift left in place (self-heal off, opt-outs, unowned extras). */
  drift: number;
  diagnostics: Diagnostic[];
}

/** What `GET /api/v1/sync/status` and `weft sync status` show. */
export interface SyncStatus {
  application: string;
  source: { repoURL: string; targetRevision: string; path: string };
  target: string;
  revision?: string;
  conditions: Condition[];
  resources: ResourceStatus[];
  /** Newest first. */
  reconciles: ReconcileRecord[];
}

/**
 * Sets a condition, keeping `lastTransitionTime` when the status does not change.
 * @example setCondition(conditions, 'Ready', 'True', 'Synced', 'Live state matches revision abc123', now)
 */
export function setCondition(conditions: Condition[], type: Condition['type'], status: Condition['status'], reason: string, message: string, at: string): Condition[] {
  const prev = conditions.find((c) => c.type === type);
  const next: Condition = { type, status, reason, message, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : at };
  const order: Condition['type'][] = ['Ready', 'Reconciling', 'Stalled'];
  return [...conditions.filter((c) => c.type !== type), next].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}

/** Plain-text rendering of a status for the CLI. */
export function formatStatus(s: SyncStatus): string {
  const lines: string[] = [];
  lines.push(`Application: ${s.application}`);
  lines.push(`Source:      ${s.source.repoURL} @ ${s.source.targetRevision} (${s.source.path || '.'})`);
  lines.push(`Target:      ${s.target}`);
  lines.push(`Revision:    ${s.revision ?? '(none synced yet)'}`);
  lines.push('Conditions:');
  for (const c of s.conditions) lines.push(`  ${c.type.padEnd(12)} ${c.status.padEnd(7)} ${c.reason}: ${c.message}`);
  const counts = new Map<string, number>();
  for (const r of s.resources) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  lines.push(`Resources:   ${s.resources.length} (${[...counts].map(([k, v]) => `${v} ${k}`).join(', ') || 'none'})`);
  for (const r of s.resources.filter((x) => x.state !== 'Synced' || x.action || (x.health && x.health.status !== 'Healthy'))) {
    const detail = r.changes?.length ? ` [${r.changes.map((c) => c.pointer).join(', ')}]` : '';
    const health = r.health && r.health.status !== 'Healthy' ? ` health=${r.health.status}${r.health.message ? ` (${r.health.message})` : ''}` : '';
    lines.push(`  ${r.state.padEnd(9)} ${r.key}${r.action ? ` (${r.action}${r.message ? `: ${r.message}` : ''})` : ''}${detail}${health}`);
  }
  lines.push('Last reconciles:');
  for (const r of s.reconciles.slice(0, 5)) {
    lines.push(`  ${r.finishedAt} ${r.trigger.padEnd(7)} ${r.result.padEnd(7)} ${(r.revision ?? '').slice(0, 12)} applied=${r.applied} pruned=${r.pruned} failed=${r.failed} drift=${r.drift} ${r.durationMs}ms`);
    for (const d of r.diagnostics) lines.push(`    ${d.code} ${d.message}`);
  }
  return lines.join('\n');
}
