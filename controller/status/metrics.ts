import type { DriftState } from '../diff/diff.js';

/**
 * The controller's Prometheus metrics, rendered in the text exposition format.
 * Labels are the application and, where it applies, the state, result or alert type.
 */
export class SyncMetrics {
  private readonly reconciles = new Map<string, number>();
  private readonly durationSum = new Map<string, number>();
  private readonly durationCount = new Map<string, number>();
  private readonly resources = new Map<string, Record<DriftState, number>>();
  private readonly counters = new Map<string, number>();
  private readonly lastSuccess = new Map<string, number>();

  recordReconcile(application: string, result: string, durationMs: number, at: number): void {
    inc(this.reconciles, labels({ application, result }));
    inc(this.durationSum, labels({ application }), durationMs / 1000);
    inc(this.durationCount, labels({ application }));
    if (result === 'synced' || result === 'drift') this.lastSuccess.set(labels({ application }), at / 1000);
  }

  setResources(application: string, counts: Record<DriftState, number>): void {
    this.resources.set(application, { ...counts });
  }

  count(name: 'applied' | 'pruned' | 'apply_failures' | 'alerts' | 'alert_failures', l: Record<string, string>, by = 1): void {
    inc(this.counters, `${name}${labels(l)}`, by);
  }

  /** The text exposition format (version 0.0.4). */
  render(): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string, rows: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows);
    };
    family('weft_sync_reconciles_total', 'counter', 'Reconciles by result (synced, drift, refused, failed).', [...this.reconciles].map(([l, v]) => `weft_sync_reconciles_total${l} ${v}`));
    family('weft_sync_reconcile_duration_seconds', 'summary', 'Time spent reconciling.', [
      ...[...this.durationSum].map(([l, v]) => `weft_sync_reconcile_duration_seconds_sum${l} ${round(v)}`),
      ...[...this.durationCount].map(([l, v]) => `weft_sync_reconcile_duration_seconds_count${l} ${v}`),
    ]);
    family('weft_sync_resources', 'gauge', 'Objects by drift state after the last reconcile.', [...this.resources].flatMap(([app, counts]) => Object.entries(counts).map(([state, v]) => `weft_sync_resources${labels({ application: app, state })} ${v}`)));
    family('weft_sync_last_success_timestamp_seconds', 'gauge', 'When a reconcile last completed without failure.', [...this.lastSuccess].map(([l, v]) => `weft_sync_last_success_timestamp_seconds${l} ${v}`));
    const counterHelp: Record<string, string> = {
      applied: 'Objects applied.',
      pruned: 'Objects pruned.',
      apply_failures: 'Objects whose apply or prune failed.',
      alerts: 'Alerts sent, by type.',
      alert_failures: 'Alert deliveries that failed, by receiver name.',
    };
    for (const [name, help] of Object.entries(counterHelp)) {
      const rows = [...this.counters].filter(([k]) => k.startsWith(`${name}{`)).map(([k, v]) => `weft_sync_${name}_total${k.slice(name.length)} ${v}`);
      family(`weft_sync_${name}_total`, 'counter', help, rows);
    }
    return out.join('\n') + '\n';
  }
}

function labels(l: Record<string, string>): string {
  return `{${Object.entries(l)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',')}}`;
}

function inc(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
