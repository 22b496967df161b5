import type { CommitInfo } from '../store/commit.js';
import type { ExecutionResult, StepTrace } from '../run/trace.js';

/** Upper bounds (seconds) of the latency histograms: 1 ms to 30 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Upper bounds of the records-per-commit histogram. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

type Labels = Record<string, string>;

/** One Prometheus metric family: a name, a type, a help text and its series by label set. */
abstract class Family {
  protected readonly series = new Map<string, { labels: Labels; value: unknown }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}

  protected slot<T>(labels: Labels, init: () => T): T {
    // The series key is the label names and values joined by a separator that cannot appear in
    // them; the escaped exposition text is only built when rendering.
    let key = '';
    for (const k in labels) key += `${k}\u0000${labels[k]}\u0001`;
    let s = this.series.get(key);
    if (!s) {
      s = { labels, value: init() };
      this.series.set(key, s);
    }
    return s.value as T;
  }

  abstract lines(): string[];

  render(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n${this.lines().join('')}`;
  }
}

class Counter extends Family {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }

  inc(labels: Labels, by = 1): void {
    const box = this.slot(labels, () => ({ v: 0 }));
    box.v += by;
  }

  lines(): string[] {
    return [...this.series.values()].map((s) => `${this.name}${labelText(s.labels)} ${(s.value as { v: number }).v}\n`);
  }
}

class Histogram extends Family {
  constructor(
    name: string,
    help: string,
    private readonly buckets: readonly number[],
  ) {
    super(name, help, 'histogram');
  }

  observe(labels: Labels, value: number): void {
    const h = this.slot(labels, () => ({ counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 }));
    // Counts per bucket are kept non-cumulative; rendering sums them.
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]) i++;
    if (i < this.buckets.length) h.counts[i]++;
    h.sum += value;
    h.count++;
  }

  lines(): string[] {
    const out: string[] = [];
    for (const { labels, value } of this.series.values()) {
      const h = value as { counts: number[]; sum: number; count: number };
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
  private readonly executions = new Counter('weft_executions_total', 'Workflow runs finished, by namespace, workflow and status.');
  private readonly executionSeconds = new Histogram('weft_execution_duration_seconds', 'Duration of finished workflow runs.', LATENCY_BUCKETS);
  private readonly stepSeconds = new Histogram('weft_step_duration_seconds', 'Duration of task steps that ran (all attempts), by namespace, task and status.', LATENCY_BUCKETS);
  private readonly commitSeconds = new Histogram('weft_store_commit_duration_seconds', 'Duration of shared history commits.', LATENCY_BUCKETS);
  private readonly commitRecords = new Histogram('weft_store_commit_records', 'Records written per shared history commit.', BATCH_BUCKETS);
  private readonly commitFailures = new Counter('weft_store_commit_failures_total', 'Shared history commits that failed.');
  private readonly requests = new Counter('weft_http_requests_total', 'API requests answered, by method, route and status code.');
  private readonly requestSeconds = new Histogram('weft_http_request_duration_seconds', 'Time to answer API requests, by method and route.', LATENCY_BUCKETS);
  private readonly callbacks = new Counter('weft_callbacks_total', 'Callback deliveries of asynchronous runs, by outcome (delivered, failed).');
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
    this.executions.inc({ namespace, workflow: name, status: result.status });
    this.executionSeconds.observe({ namespace, workflow: name }, result.durationMs / 1000);
    this.observeSteps(namespace, result.steps);
  }

  private observeSteps(namespace: string, steps: readonly StepTrace[]): void {
    for (const s of steps) {
      if (s.taskRef && s.status !== 'skipped' && s.durationMs !== undefined) this.stepSeconds.observe({ namespace, task: s.taskRef, status: s.status }, s.durationMs / 1000);
      if (s.children) this.observeSteps(namespace, s.children);
    }
  }

  /** The store's `onCommit` hook. */
  observeCommit = (info: CommitInfo): void => {
    this.commitSeconds.observe({}, info.durationMs / 1000);
    this.commitRecords.observe({}, info.records);
    if (!info.ok) this.commitFailures.inc({});
  };

  /** Counts an answered request; `route` is the route pattern (`/api/v1/executions/:id`), never the raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.requestSeconds.observe({ method, route }, seconds);
  }

  observeCallback(outcome: 'delivered' | 'failed'): void {
    this.callbacks.inc({ outcome });
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
