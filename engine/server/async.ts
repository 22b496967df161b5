import type { CompiledWorkflow, Engine } from '../run/index.js';
import { executionResultJson, maskUrl, type ExecutionResult } from '../run/trace.js';
import type { ExecutionRecorder } from '../store/recorder.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';

export interface CallbackOptions {
  /** Deliveries tried at most (default 5). */
  attempts?: number;
  /** Wait before the second attempt, doubled after each (default 1000 ms, at most 30 s). */
  backoffMs?: number;
  /** Time one delivery may take (default 10 s). */
  timeoutMs?: number;
}

export interface BackgroundRunsOptions {
  engine: Engine;
  recorder: ExecutionRecorder;
  metrics?: Metrics;
  log: Logger;
  callback?: CallbackOptions;
}

export interface BackgroundStart {
  workflow: CompiledWorkflow;
  input: unknown;
  executionId: string;
  idempotencyKey?: string;
  /** Receives the result JSON by POST when the run ends. */
  callbackUrl?: string;
}

interface Running {
  controller: AbortController;
  /** Resolves once the run ended and its record is written (or failed to be). */
  done: Promise<ExecutionResult>;
}

/** The trigger stored for runs started with `Prefer: respond-async`; idempotent replays answer them with 202 again. */
export const ASYNC_TRIGGER = 'api:async';

/**
 * Asynchronous runs of this process: each is stored as `running` before the API answers 202,
 * runs in the background, is completed in the store when it ends, and may be cancelled through
 * its AbortController. The optional callback URL receives the result JSON by POST, retried
 * with backoff on network errors, 408, 429 and 5xx.
 * @example
 * const runs = new BackgroundRuns({ engine, recorder, log });
 * await runs.start({ workflow, input, executionId: randomUUID() });  // stored as running
 * await runs.cancel(executionId);                                     // stored as cancelled
 */
export class BackgroundRuns {
  private readonly runs = new Map<string, Running>();
  private readonly deliveries = new Set<Promise<void>>();
  private readonly closing = new AbortController();

  constructor(private readonly options: BackgroundRunsOptions) {}

  /** Runs in flight in this process. */
  get size(): number {
    return this.runs.size;
  }

  has(id: string): boolean {
    return this.runs.has(id);
  }

  /**
   * Stores the run as `running` (resolves once that is durable, rejects when the store fails:
   * then nothing runs), then starts it in the background.
   */
  async start(run: BackgroundStart): Promise<void> {
    const { engine, recorder } = this.options;
    const { workflow, input, executionId } = run;
    if (this.closing.signal.aborted) throw new Error('The server is shutting down');
    await recorder.start({
      executionId,
      workflow: { name: workflow.name, namespace: workflow.namespace, version: workflow.version },
      input,
      trigger: ASYNC_TRIGGER,
      ...(run.idempotencyKey ? { idempotencyKey: run.idempotencyKey } : {}),
    });
    const controller = new AbortController();
    const done = (async () => {
      const result = await engine.executeCompiled(workflow, input, { executionId, signal: controller.signal });
      this.options.metrics?.observeExecution(result);
      try {
        await recorder.end(result);
      } catch (err) {
        this.options.log({ level: 'error', msg: 'recording an asynchronous run failed', executionId, error: (err as Error).message });
      }
      return result;
    })();
    this.runs.set(executionId, { controller, done });
    void done.then(
      (result) => {
        this.runs.delete(executionId);
        if (run.callbackUrl) this.track(this.deliver(run.callbackUrl, result));
      },
      (err: Error) => {
        this.runs.delete(executionId);
        this.options.log({ level: 'error', msg: 'asynchronous run failed', executionId, error: err.message });
      },
    );
  }

  /** Aborts a run of this process and resolves with its result once it is stored; undefined when it is not running here. */
  async cancel(id: string): Promise<ExecutionResult | undefined> {
    const run = this.runs.get(id);
    if (!run) return undefined;
    run.controller.abort();
    return run.done;
  }

  /** Resolves when the run of this process ends (undefined when it is not running here). */
  wait(id: string): Promise<ExecutionResult> | undefined {
    return this.runs.get(id)?.done;
  }

  /** Resolves when every callback delivery started so far has succeeded or given up. */
  async callbacksSettled(): Promise<void> {
    await Promise.allSettled([...this.deliveries]);
  }

  /**
   * Waits up to `graceMs` for the runs in flight, then cancels the rest and waits for their
   * records; pending callback retries stop.
   */
  async close(graceMs: number): Promise<void> {
    const all = () => Promise.allSettled([...this.runs.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([all(), expired]);
    clearTimeout(timer);
    for (const r of this.runs.values()) r.controller.abort();
    await all();
    this.closing.abort();
    await Promise.allSettled([...this.deliveries]);
  }

  private track(p: Promise<void>): void {
    this.deliveries.add(p);
    void p.finally(() => this.deliveries.delete(p));
  }

  /** POSTs the result JSON to the callback URL, retrying with exponential backoff. */
  private async deliver(url: string, result: ExecutionResult): Promise<void> {
    const { attempts = 5, backoffMs = 1_000, timeoutMs = 10_000 } = this.options.callback ?? {};
    const body = JSON.stringify(executionResultJson(result));
    let wait = backoffMs;
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.closing.signal.aborted) break;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-execution-id': result.executionId },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.closing.signal]),
        });
        await res.body?.cancel();
        if (res.ok) {
          this.options.metrics?.observeCallback('delivered');
          this.options.log({ level: 'info', msg: 'callback delivered', executionId: result.executionId, url: maskUrl(url), attempt, status: res.status });
          return;
        }
        last = `answered ${res.status}`;
        if (!(res.status === 408 || res.status === 429 || res.status >= 500)) break;
      } catch (err) {
        last = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((err as { cause?: Error }).cause?.message ?? (err as Error).message);
      }
      if (attempt < attempts && !(await this.sleep(wait))) break;
      wait = Math.min(wait * 2, 30_000);
    }
    this.options.metrics?.observeCallback('failed');
    this.options.log({ level: 'warn', msg: 'callback not delivered', executionId: result.executionId, url: maskUrl(url), error: last });
  }

  /** Waits `ms`; false when the server started closing meanwhile. */
  private sleep(ms: number): Promise<boolean> {
    const signal = this.closing.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
