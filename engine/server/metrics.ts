import type { CommitInfo } from '../store/commit.js';
import type { ExecutionResult, StepTrace } from '../run/trace.js';

/** Upper bounds (seconds) of the latency histograms: 1 ms to 30 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Upper bounds of the records-per-commit histogram. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

type Labels = Record<string, string>;

const NO_LABELS: readonly string[] = [];

/**
 * One Prometheus metric family: a name, a type, a help text, its label names, and its series by
 * label values. A series is found through one Map per label, keyed by the value: observing
 * builds no key string and no label object (the hot path observes several times per request);
 * the escaped exposition text is only built when rendering.
 */
abstract class Family {
  private readonly index = new Map<string, unknown>();
  protected readonly series: Array<{ values: readonly string[]; value: unknown }> = [];
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
    readonly labelNames: readonly string[] = [],
  ) {}

  /** The series of these label values (in `labelNames` order), made by `init` the first time. */
  protected slot<T>(values: readonly string[], init: () => T): T {
    let map = this.index;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = map.get(values[i]) as Map<string, unknown> | undefined;
      if (!next) {
        next = new Map();
        map.set(values[i], next);
      }
      map = next;
    }
    const key = last < 0 ? '' : values[last];
    let value = map.get(key) as T | undefined;
    if (value === undefined) {
      value = init();
      map.set(key, value);
      this.series.push({ values: [...values], value });
    }
    return value;
  }

  protected labels(values: readonly string[]): Labels {
    const out: Labels = {};
    this.labelNames.forEach((n, i) => (out[n] = values[i]));
    return out;
  }

  abstract lines(): string[];

  render(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n${this.lines().join('')}`;
  }
}

class Counter extends Family {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, 'counter', labelNames);
  }

  inc(values: readonly string[], by = 1): void {
    const box = this.slot(values, () => ({ v: 0 }));
    box.v += by;
  }

  lines(): string[] {
    return this.series.map((s) => `${this.name}${labelText(this.labels(s.values))} ${(s.value as { v: number }).v}\n`);
  }
}

class Histogram extends Family {
  constructor(
    name: string,
    help: string,
    private readonly buckets: readonly number[],
    labelNames: readonly string[] = [],
  ) {
    super(name, help, 'histogram', labelNames);
  }

  observe(values: readonly string[], value: number): void {
    const h = this.slot(values, () => ({ counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 }));
    // Counts per bucket are kept non-cumulative; rendering sums them.
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]) i++;
    if (i < this.buckets.length) h.counts[i]++;
    h.sum += value;
    h.count++;
  }

  lines(): string[] {
    const out: string[] = [];
    for (const s of this.series) {
      const labels = this.labels(s.values);
      const h = s.value as { counts: number[]; sum: number; count: number };
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += h.counts[i];
        out.push(`${this.name}_bucket${labelText({ ...labels, le: String(le) })} ${cumulative}\n`);
      });
      out.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${h.count}\n`);
      out.push(`${this.name}_sum${labelText(labels)} ${h.sum}\n`);
      out.push(`${this.name}_count${labelText(labels)} ${h.count}\n`);
    }
    return out;
  }
}

/** A gauge read when the metrics are scraped. */
class Gauge extends Family {
  constructor(
    name: string,
    help: string,
    private readonly read: () => Array<[Labels, number]>,
  ) {
    super(name, help, 'gauge');
  }

  lines(): string[] {
    return this.read().map(([labels, v]) => `${this.name}${labelText(labels)} ${v}\n`);
  }
}

/** undici's per-origin pool counters (`Agent#stats`). */
export interface PoolStats {
  connected?: number;
  free?: number;
  pending?: number;
  queued?: number;
  running?: number;
  size?: number;
}

export interface MetricsSources {
  /** `engine.http.agent.stats`: pool counters by origin. */
  httpPools?: () => Record<string, PoolStats> | undefined;
  /** Asynchronous runs in flight in this process. */
  runningExecutions?: () => number;
}

/**
 * The engine's Prometheus metrics, written in the text exposition format (version 0.0.4):
 * executions by workflow and status, run and step latency histograms, store commit latency
 * and batch size, HTTP pool counters of the engine's undici Agent, and API requests by route.
 * @example
 * const metrics = new Metrics({ httpPools: () => engine.http.agent.stats });
 * metrics.observeExecution(result);
 * const text = metrics.render(); // GET /metrics
 */
export class Metrics {
  private readonly executions = new Counter('weft_executions_total', 'Workflow runs finished, by namespace, workflow and status.', ['namespace', 'workflow', 'status']);
  private readonly executionSeconds = new Histogram('weft_execution_duration_seconds', 'Duration of finished workflow runs.', LATENCY_BUCKETS, ['namespace', 'workflow']);
  private readonly stepSeconds = new Histogram('weft_step_duration_seconds', 'Duration of task steps that ran (all attempts), by namespace, task and status.', LATENCY_BUCKETS, ['namespace', 'task', 'status']);
  private readonly commitSeconds = new Histogram('weft_store_commit_duration_seconds', 'Duration of shared history commits.', LATENCY_BUCKETS);
  private readonly commitRecords = new Histogram('weft_store_commit_records', 'Records written per shared history commit.', BATCH_BUCKETS);
  private readonly commitFailures = new Counter('weft_store_commit_failures_total', 'Shared history commits that failed.');
  private readonly requests = new Counter('weft_http_requests_total', 'API requests answered, by method, route and status code.', ['method', 'route', 'status']);
  private readonly requestSeconds = new Histogram('weft_http_request_duration_seconds', 'Time to answer API requests, by method and route.', LATENCY_BUCKETS, ['method', 'route']);
  private readonly callbacks = new Counter('weft_callbacks_total', 'Callback deliveries of asynchronous runs, by outcome (delivered, failed).', ['outcome']);
  private readonly families: Family[];

  constructor(sources: MetricsSources = {}) {
    const pools = (field: keyof PoolStats) => () => {
      const stats = sources.httpPools?.() ?? {};
      return Object.entries(stats).map(([origin, s]): [Labels, number] => [{ origin }, s[field] ?? 0]);
    };
    this.families = [
      this.executions,
      this.executionSeconds,
      this.stepSeconds,
      this.commitSeconds,
      this.commitRecords,
      this.commitFailures,
      this.requests,
      this.requestSeconds,
      this.callbacks,
      new Gauge('weft_running_executions', 'Asynchronous runs in flight in this process.', () => [[{}, sources.runningExecutions?.() ?? 0]]),
      new Gauge('weft_http_pool_connected', 'Open connections of the outbound HTTP pool, by origin.', pools('connected')),
      new Gauge('weft_http_pool_free', 'Idle connections of the outbound HTTP pool, by origin.', pools('free')),
      new Gauge('weft_http_pool_pending', 'Outbound requests waiting for a connection, by origin.', pools('pending')),
      new Gauge('weft_http_pool_running', 'Outbound requests in flight, by origin.', pools('running')),
      new Gauge('weft_http_pool_size', 'Outbound requests queued or running, by origin.', pools('size')),
    ];
  }

  /** Counts a finished run and the durations of its task steps (nested ones included). */
  observeExecution(result: ExecutionResult): void {
    const { namespace, name } = result.workflow;
    this.executions.inc([namespace, name, result.status]);
    this.executionSeconds.observe([namespace, name], result.durationMs / 1000);
    this.observeSteps(namespace, result.steps);
  }

  private observeSteps(namespace: string, steps: readonly StepTrace[]): void {
    for (const s of steps) {
      if (s.taskRef && s.status !== 'skipped' && s.durationMs !== undefined) this.stepSeconds.observe([namespace, s.taskRef, s.status], s.durationMs / 1000);
      if (s.children) this.observeSteps(namespace, s.children);
    }
  }

  /** The store's `onCommit` hook. */
  observeCommit = (info: CommitInfo): void => {
    this.commitSeconds.observe(NO_LABELS, info.durationMs / 1000);
    this.commitRecords.observe(NO_LABELS, info.records);
    if (!info.ok) this.commitFailures.inc(NO_LABELS);
  };

  /** Counts an answered request; `route` is the route pattern (`/api/v1/executions/:id`), never the raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc([method, route, String(status)]);
    this.requestSeconds.observe([method, route], seconds);
  }

  observeCallback(outcome: 'delivered' | 'failed'): void {
    this.callbacks.inc([outcome]);
  }

  /** The text exposition of every metric. */
  render(): string {
    return this.families.map((f) => f.render()).join('');
  }
}

/** The content type of the text exposition format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (!keys.length) return '';
  return `{${keys.map((k) => `${k}="${labels[k].replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`).join(',')}}`;
}
