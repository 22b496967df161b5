import { DiagnosticError, sortDiagnostics, type Diagnostic } from '../engine/model/diagnostic.js';
import { KINDS } from '../engine/model/types.js';
import { DefinitionRegistry } from '../engine/load/index.js';
import { validateRegistry } from '../engine/validate/index.js';
import { sendAlert, type AlertPayload, type AlertReceiver, type AlertType } from './alerts/alerts.js';
import { systemClock, type Clock } from './clock.js';
import type { DefinitionCache } from '../engine/store/definition-cache.js';
import { crdDefaulter } from './crd.js';
import type { DriftReport, PreparedDesired, ResourceDrift } from './diff/diff.js';
import { applyPayload } from './diff/ignore.js';
import type { Defaulter } from './diff/normalize.js';
import { assessHealth } from './health/health.js';
import { contentHash, objectKey, parseObjectKey, type IgnoreRule, type Inventory, type KubeObject, type SyncPolicy } from './model.js';
import type { GitSourceSpec, SourceSnapshot } from './source/git.js';
import { renderSource, type RenderOptions } from './source/render.js';
import { SyncMetrics } from './status/metrics.js';
import { setCondition, type Condition, type ReconcileRecord, type ResourceStatus, type SyncStatus } from './status/status.js';
import { assess, prepareManaged } from './sync/assess.js';
import type { ObjectType, SyncTarget } from './targets/target.js';

/** Anything that yields a checked-out revision: a `GitSource`, or a fixed directory in tests. */
export interface Source {
  readonly spec: GitSourceSpec;
  fetch(): Promise<SourceSnapshot>;
}

export interface ControllerOptions {
  /** The application's name: names its inventory, labels its metrics and alerts. */
  application: string;
  source: Source;
  target: SyncTarget;
  policy: SyncPolicy;
  ignore?: IgnoreRule[];
  /**
   * The destination namespace: desired objects without one are placed in it. Live objects are
   * compared when Weft owns them or they sit in a namespace the source uses (or this one), so other
   * teams' objects elsewhere are not reported as Extra.
   */
  namespace?: string;
  /** Watch the target for changes (self-heal without waiting for the poll) when it can; default true. */
  watch?: boolean;
  /** Poll interval in ms (default 60,000). */
  interval?: number;
  clock?: Clock;
  render?: RenderOptions;
  alerts?: AlertReceiver[];
  metrics?: SyncMetrics;
  defaults?: Defaulter;
  /** Reconciles kept in the status (default 10). */
  history?: number;
  /** Structured log lines; default none. */
  log?: (line: Record<string, unknown>) => void;
  fetch?: typeof fetch;
  /** The definition cache to keep equal to the target's Weft definitions after each reconcile. */
  cache?: DefinitionCache;
}

export type Trigger = ReconcileRecord['trigger'];

interface DesiredState {
  key: string;
  objects: KubeObject[];
  /** Namespaces the desired objects use, plus the destination's. */
  namespaces: Set<string>;
  problems: Diagnostic[];
  prepared: PreparedDesired;
}

const WEFT_TYPES: ObjectType[] = KINDS.map((kind) => ({ apiVersion: 'workflow.io/v1', kind }));

/**
 * Keeps a target in line with a Git source: fetch, render, validate, diff, plan, apply, prune,
 * then status, events, metrics and alerts. Reconciles never overlap; a request during one
 * runs once more right after it.
 * @example
 * const controller = new SyncController({ application: 'shop', source: new GitSource(spec, { cacheDir }), target, policy: { automated: { prune: true, selfHeal: true } } });
 * controller.start();
 * await controller.reconcile('webhook');
 */
export class SyncController {
  readonly metrics: SyncMetrics;
  private readonly clock: Clock;
  private readonly defaults: Defaulter;
  private conditions: Condition[] = [];
  private resources: ResourceStatus[] = [];
  private records: ReconcileRecord[] = [];
  private revision: string | undefined;
  private running: Promise<ReconcileRecord> | undefined;
  private again: { trigger: Trigger; prune?: boolean } | undefined;
  private cancelPoll: (() => void) | undefined;
  private stopWatch: (() => void) | undefined;
  private lastAlert = new Map<AlertType, string>();
  private desired: DesiredState | undefined;

  constructor(private readonly options: ControllerOptions) {
    this.clock = options.clock ?? systemClock;
    this.metrics = options.metrics ?? new SyncMetrics();
    this.defaults = options.defaults ?? crdDefaulter();
    const at = this.iso();
    this.conditions = setCondition([], 'Ready', 'Unknown', 'NotReconciled', 'No reconcile has run yet', at);
  }

  /** Starts polling (and watching, when the target can) and runs a first reconcile. */
  async start(): Promise<void> {
    if (this.options.target.watch && this.options.watch !== false) {
      this.stopWatch = await this.options.target.watch(WEFT_TYPES, () => void this.request('watch'));
    }
    this.schedulePoll();
    void this.request('start');
  }

  /** Stops polling and watching and waits for a running reconcile. */
  async stop(): Promise<void> {
    this.cancelPoll?.();
    this.cancelPoll = undefined;
    this.stopWatch?.();
    this.stopWatch = undefined;
    this.again = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Resolves when no reconcile is running or queued. */
  async whenIdle(): Promise<void> {
    for (let i = 0; i < 1000 && this.running; i++) await this.running.catch(() => undefined);
  }

  /** The webhook entry point: a push happened, sync at once. */
  webhook(): Promise<ReconcileRecord> {
    return this.request('webhook');
  }

  /**
   * Runs a reconcile now, or once more right after the running one. `manual` applies every
   * difference (as if self-heal were on) and prunes only with `prune: true`.
   */
  request(trigger: Trigger, options: { prune?: boolean } = {}): Promise<ReconcileRecord> {
    if (this.running) {
      this.again = { trigger, prune: options.prune };
      return this.running.then(() => this.running ?? this.request(trigger, options));
    }
    const run = this.reconcile(trigger, options.prune).finally(() => {
      this.running = undefined;
      const next = this.again;
      this.again = undefined;
      if (next) void this.request(next.trigger, { prune: next.prune });
    });
    this.running = run;
    return run;
  }

  /** The status object: conditions, per-resource state, the last reconciles. */
  status(): SyncStatus {
    const s = this.options.source.spec;
    return {
      application: this.options.application,
      source: { repoURL: maskUrl(s.repoURL), targetRevision: s.targetRevision ?? 'HEAD', path: s.path ?? '' },
      target: this.options.target.description,
      ...(this.revision ? { revision: this.revision } : {}),
      conditions: this.conditions,
      resources: this.resources,
      reconciles: this.records,
    };
  }

  private schedulePoll(): void {
    this.cancelPoll = this.clock.schedule(this.options.interval ?? 60_000, () => {
      void this.request('poll');
      this.schedulePoll();
    });
  }

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private async reconcile(trigger: Trigger, prune?: boolean): Promise<ReconcileRecord> {
    const started = this.clock.now();
    const wall = performance.now();
    this.conditions = setCondition(this.conditions, 'Reconciling', 'True', 'Progressing', `Reconcile (${trigger}) in progress`, this.iso());
    const record: ReconcileRecord = { startedAt: new Date(started).toISOString(), finishedAt: '', durationMs: 0, trigger, result: 'synced', applied: 0, pruned: 0, failed: 0, drift: 0, diagnostics: [] };
    try {
      await this.run(record, trigger, prune);
    } catch (err) {
      record.result = 'failed';
      record.diagnostics.push(...toDiagnostics(err));
    }
    record.finishedAt = this.iso();
    record.durationMs = Math.round(performance.now() - wall);
    this.records = [record, ...this.records].slice(0, this.options.history ?? 10);
    await this.finish(record);
    return record;
  }

  private async run(record: ReconcileRecord, trigger: Trigger, prune?: boolean): Promise<void> {
    const { target, application } = this.options;
    const snapshot = await this.options.source.fetch();
    record.revision = snapshot.revision;
    const desired = await this.desiredAt(snapshot);
    if (desired.problems.length) {
      record.result = 'failed';
      record.diagnostics.push(...desired.problems);
      return;
    }
    const inventory = await target.readInventory(application);
    const types = typesOf(desired.objects, inventory);
    const namespaces = desired.namespaces;
    const live = (await target.list(types)).filter((o) => namespaces.has(o.metadata.namespace || 'default') || inventory.has(objectKey(o)));
    const { comparison, plan } = assess(desired.prepared, live, {
      policy: this.options.policy,
      inventory,
      ignore: this.options.ignore,
      defaults: this.defaults,
      trigger: trigger === 'manual' ? 'manual' : 'auto',
      prune,
    });
    const statuses = new Map<string, ResourceStatus>(comparison.report.resources.map((r) => [r.key, toStatus(r)]));
    for (const l of live) {
      if (l.status === undefined) continue;
      const s = statuses.get(objectKey(l));
      if (s) s.health = assessHealth(l);
    }
    for (const s of plan.skipped) Object.assign(statuses.get(s.key)!, { action: 'skipped', message: s.reason });
    this.metrics.setResources(application, comparison.report.counts);
    if (plan.refused) {
      record.result = 'refused';
      record.diagnostics.push(plan.refused);
      record.drift = countDrift(comparison.report);
      this.resources = [...statuses.values()];
      return;
    }
    const ignore = this.options.ignore ?? [];
    const payloads = plan.apply.map((a) => applyPayload(a.object, comparison.live.get(a.key), ignore));
    const reasons = new Map(plan.apply.map((a) => [a.key, a.reason]));
    const applied = await target.apply(payloads, { force: this.options.policy.force ?? true });
    const pruned = await target.delete(plan.prune.map((p) => p.object));
    const nextInventory: Inventory = new Map(plan.inventory);
    for (const r of applied) {
      const s = statuses.get(r.key)!;
      if (r.ok) {
        Object.assign(s, { state: 'Synced', action: 'applied', message: reasons.get(r.key) });
        delete s.changes;
      }
      else {
        Object.assign(s, { action: 'failed', message: r.error });
        const previous = inventory.get(r.key);
        if (previous) nextInventory.set(r.key, previous);
        else nextInventory.delete(r.key);
        record.diagnostics.push({ code: 'WF_SYNC_APPLY_FAILED', severity: 'error', message: `${r.key}: ${r.error}`, resource: r.key, hint: 'See the target\'s message; a conflict means another field manager owns the field (set syncPolicy.force or an ignore rule).' });
      }
    }
    for (const r of pruned) {
      const s = statuses.get(r.key)!;
      if (r.ok) {
        Object.assign(s, { action: 'pruned' });
        nextInventory.delete(r.key);
      } else {
        Object.assign(s, { action: 'failed', message: r.error });
        nextInventory.set(r.key, inventory.get(r.key)!);
        record.diagnostics.push({ code: 'WF_SYNC_PRUNE_FAILED', severity: 'error', message: `${r.key}: ${r.error}`, resource: r.key });
      }
    }
    if (!sameInventory(inventory, nextInventory)) await target.writeInventory(application, nextInventory);
    if (this.options.cache) {
      // What the target now holds: the desired object where it was applied or already matched, the live one elsewhere.
      const held: KubeObject[] = [];
      for (const s of statuses.values()) {
        if (s.action === 'pruned') continue;
        const object = s.state === 'Synced' ? comparison.desired.get(s.key) : comparison.live.get(s.key);
        if (object) held.push(object);
      }
      await this.options.cache.deltaSync(held, { sourceVersion: snapshot.revision, now: this.clock.now() });
    }
    record.applied = applied.filter((r) => r.ok).length;
    record.pruned = pruned.filter((r) => r.ok).length;
    record.failed = applied.length + pruned.length - record.applied - record.pruned;
    this.resources = [...statuses.values()].filter((s) => s.action !== 'pruned');
    const after = this.resources;
    record.drift = after.filter((s) => s.state !== 'Synced' && !(s.state === 'Extra' && !s.owned)).length;
    record.result = record.failed ? 'failed' : record.drift ? 'drift' : 'synced';
    this.revision = snapshot.revision;
    const counts = { Synced: 0, OutOfSync: 0, Missing: 0, Extra: 0 };
    for (const s of after) counts[s.state]++;
    this.metrics.setResources(application, counts);
    this.metrics.count('applied', { application }, record.applied);
    this.metrics.count('pruned', { application }, record.pruned);
    if (record.failed) this.metrics.count('apply_failures', { application }, record.failed);
    this.options.log?.({ msg: 'reconciled', application, trigger, revision: snapshot.revision, result: record.result, applied: record.applied, pruned: record.pruned, drift: record.drift });
  }

  /**
   * The desired state of a checked-out revision: rendered, validated, normalised and hashed once
   * per revision (a commit's content does not change), like Argo CD's manifest cache.
   */
  private async desiredAt(snapshot: SourceSnapshot): Promise<DesiredState> {
    const key = `${snapshot.revision}\0${snapshot.dir}`;
    if (this.desired?.key === key) return this.desired;
    const rendered = await renderSource(snapshot.dir, { cwd: snapshot.root, ...this.options.render });
    const destination = this.options.namespace;
    if (destination) for (const o of rendered.objects) if (!o.metadata.namespace) o.metadata.namespace = destination;
    const namespaces = new Set(rendered.objects.map((o) => o.metadata.namespace || 'default'));
    if (destination) namespaces.add(destination);
    const registry = new DefinitionRegistry(rendered.resources);
    const checked = [...rendered.diagnostics, ...registry.diagnostics, ...validateRegistry(registry)];
    const problems = sortDiagnostics(checked.filter((d) => d.severity === 'error'));
    this.desired = { key, objects: rendered.objects, namespaces, problems, prepared: prepareManaged(rendered.objects, this.defaults) };
    return this.desired;
  }

  private async finish(record: ReconcileRecord): Promise<void> {
    const at = this.iso();
    const app = this.options.application;
    this.metrics.recordReconcile(app, record.result, record.durationMs, this.clock.now());
    this.conditions = setCondition(this.conditions, 'Reconciling', 'False', 'Idle', `Last reconcile (${record.trigger}) finished ${record.result}`, at);
    const short = record.revision?.slice(0, 12) ?? '';
    if (record.result === 'synced') {
      this.conditions = setCondition(this.conditions, 'Ready', 'True', 'Synced', `Live state matches revision ${short}`, at);
      this.conditions = setCondition(this.conditions, 'Stalled', 'False', 'Synced', 'Reconciling normally', at);
    } else if (record.result === 'drift') {
      this.conditions = setCondition(this.conditions, 'Ready', 'False', 'DriftDetected', `${record.drift} object(s) differ from revision ${short} and are left as they are (see resources)`, at);
      this.conditions = setCondition(this.conditions, 'Stalled', 'False', 'DriftReported', 'Reconciling normally; drift is reported only', at);
    } else {
      const first = record.diagnostics[0];
      const reason = record.result === 'refused' ? 'SyncRefused' : 'SyncFailed';
      const message = first ? `${first.code}: ${first.message}` : 'Reconcile failed';
      this.conditions = setCondition(this.conditions, 'Ready', 'False', reason, message, at);
      this.conditions = setCondition(this.conditions, 'Stalled', 'True', reason, message, at);
    }
    await this.notify(record);
  }

  /** Alerts and events: once per distinct drift set or failure, not on every poll. */
  private async notify(record: ReconcileRecord): Promise<void> {
    const app = this.options.application;
    const drifted = this.resources.filter((r) => r.state !== 'Synced' && !(r.state === 'Extra' && !r.owned));
    const healed = this.resources.filter((r) => r.action === 'applied' && r.message === 'self-heal');
    const alerts: Array<{ type: AlertType; severity: AlertPayload['severity']; summary: string; resources: ResourceStatus[] }> = [];
    if (record.result === 'failed' || record.result === 'refused') {
      const type: AlertType = record.result === 'failed' ? 'SyncFailed' : 'SyncRefused';
      alerts.push({ type, severity: 'critical', summary: record.diagnostics.map((d) => `${d.code}: ${d.message}`).join('; ') || 'Sync failed', resources: this.resources.filter((r) => r.action === 'failed') });
    }
    if (drifted.length) alerts.push({ type: 'DriftDetected', severity: 'warning', summary: `${drifted.length} object(s) differ from Git and were left as they are`, resources: drifted });
    if (healed.length) alerts.push({ type: 'DriftHealed', severity: 'info', summary: `${healed.length} object(s) edited or deleted by hand were put back as in Git`, resources: healed });
    const active = new Set(alerts.map((a) => a.type));
    for (const type of [...this.lastAlert.keys()]) if (!active.has(type)) this.lastAlert.delete(type);
    for (const a of alerts) {
      const fingerprint = contentHash([record.revision, a.resources.map((r) => [r.key, r.state, r.action, r.changes]), a.type === 'DriftHealed' ? record.finishedAt : '', a.summary]);
      if (this.lastAlert.get(a.type) === fingerprint) continue;
      this.lastAlert.set(a.type, fingerprint);
      const payload: AlertPayload = {
        kind: 'weft.sync.alert',
        version: 1,
        type: a.type,
        severity: a.severity,
        application: app,
        ...(record.revision ? { revision: record.revision } : {}),
        at: record.finishedAt,
        summary: a.summary,
        resources: a.resources.map((r) => ({ key: r.key, state: r.state, ...(r.action ? { action: r.action } : {}), ...(r.changes ? { changes: r.changes } : {}), ...(r.message ? { message: r.message } : {}) })),
        diagnostics: record.diagnostics.map((d) => ({ code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) })),
      };
      this.metrics.count('alerts', { application: app, type: a.type });
      const deliveries = await sendAlert(this.options.alerts ?? [], payload, this.options.fetch);
      for (const d of deliveries) if (!d.ok) {
        this.metrics.count('alert_failures', { application: app, receiver: d.receiver });
        this.options.log?.({ msg: 'alert not delivered', application: app, receiver: d.receiver, error: d.error });
      }
      await this.event(a.type, payload);
    }
  }

  private async event(type: AlertType, payload: AlertPayload): Promise<void> {
    const record = this.options.target.recordEvent?.bind(this.options.target);
    if (!record) return;
    const warning = type !== 'DriftHealed';
    try {
      if (!payload.resources.length) {
        await record(this.options.application, { type: warning ? 'Warning' : 'Normal', reason: type, message: payload.summary });
        return;
      }
      for (const r of payload.resources.slice(0, 50)) {
        const { kind, namespace, name } = parseObjectKey(r.key);
        const object = { apiVersion: apiVersionFor(kind), kind, metadata: { name, namespace } };
        const detail = r.changes?.length ? `: ${r.changes.map((c) => c.pointer).join(', ')}` : r.message ? `: ${r.message}` : '';
        await record(this.options.application, { type: warning ? 'Warning' : 'Normal', reason: type, message: `${r.state}${r.action ? ` (${r.action})` : ''}${detail}`, object });
      }
    } catch (err) {
      this.options.log?.({ msg: 'event not recorded', application: this.options.application, error: (err as Error).message });
    }
  }
}

function apiVersionFor(kind: string): string {
  return (KINDS as readonly string[]).includes(kind) ? 'workflow.io/v1' : 'v1';
}

/** The kinds to list: Weft's, those in the source and those in the inventory. */
function typesOf(objects: readonly KubeObject[], inventory: Inventory): ObjectType[] {
  const seen = new Map<string, ObjectType>(WEFT_TYPES.map((t) => [t.kind, t]));
  for (const o of objects) if (!seen.has(o.kind)) seen.set(o.kind, { apiVersion: o.apiVersion, kind: o.kind });
  for (const key of inventory.keys()) {
    const { kind } = parseObjectKey(key);
    if (!seen.has(kind)) seen.set(kind, { apiVersion: apiVersionFor(kind), kind });
  }
  return [...seen.values()];
}

function toStatus(r: ResourceDrift): ResourceStatus {
  return { key: r.key, kind: r.kind, namespace: r.namespace, name: r.name, state: r.state, ...(r.changes ? { changes: r.changes } : {}), ...(r.owned !== undefined ? { owned: r.owned } : {}) };
}

function countDrift(report: DriftReport): number {
  return report.resources.filter((r) => r.state !== 'Synced' && !(r.state === 'Extra' && !r.owned)).length;
}

function sameInventory(a: Inventory, b: Inventory): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function toDiagnostics(err: unknown): Diagnostic[] {
  if (err instanceof DiagnosticError) return err.diagnostics;
  return [{ code: 'WF_SYNC_ERROR', severity: 'error', message: maskUrl((err as Error).message ?? String(err)), hint: 'The reconcile will be retried on the next poll.' }];
}

function maskUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@/\s]*@/gi, '$1');
}

