import { Pool } from 'undici';
import { percentile } from './figures.js';

/** What one load run measured. Latencies are per request, in milliseconds. */
export interface LoadResult {
  requests: number;
  concurrency: number;
  elapsedMs: number;
  /** Requests per second. */
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  /** Every request's latency, in the order the requests were sent. */
  latencies: Float64Array;
}

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** Headers besides accept and content-type (e.g. `prefer`). */
  headers?: Record<string, string>;
  /** Returns an error message when the answer is wrong, undefined when it is right. */
  check(status: number, body: string): string | undefined;
}

/** A keep-alive connection pool to one server, reused across load runs. */
export function loadPool(url: string, connections: number): Pool {
  return new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 });
}

/**
 * Sends exactly `requests` requests with `concurrency` requests in flight (closed loop) and
 * measures throughput and latency. Throws on the first wrong answer: a run with failures has no
 * meaningful figures.
 * @example const r = await runLoad(pool, { method: 'GET', path: '/health', check: (s) => (s === 200 ? undefined : `status ${s}`) }, 32, 1000);
 */
export async function runLoad(pool: Pool, request: LoadRequest, concurrency: number, requests: number): Promise<LoadResult> {
  const latencies = new Float64Array(requests);
  const headers = { accept: 'application/json', ...(request.body === undefined ? {} : { 'content-type': 'application/json' }), ...request.headers };
  let next = 0;
  let failure: Error | undefined;
  const worker = async (): Promise<void> => {
    while (next < requests && !failure) {
      const i = next++;
      const started = process.hrtime.bigint();
      try {
        const res = await pool.request({ method: request.method, path: request.path, headers, body: request.body });
        const text = await res.body.text();
        latencies[i] = Number(process.hrtime.bigint() - started) / 1e6;
        const wrong = request.check(res.statusCode, text);
        if (wrong) failure ??= new Error(`${request.method} ${request.path} answered wrongly: ${wrong}`);
      } catch (err) {
        failure ??= new Error(`${request.method} ${request.path} failed: ${(err as Error).message}`);
      }
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (failure) throw failure;
  return loadResult(concurrency, elapsedMs, latencies);
}

/** The figures of requests sent at `concurrency` over `elapsedMs`, one latency each. */
function loadResult(concurrency: number, elapsedMs: number, latencies: Float64Array): LoadResult {
  const requests = latencies.length;
  return {
    requests,
    concurrency,
    elapsedMs,
    throughput: requests / (elapsedMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    latencies,
  };
}

/**
 * One result of several runs at the same concurrency: throughput over their summed time, and
 * percentiles over all their requests.
 * @example const round = mergeLoads([await runLoad(pool, req, 32, 1000), await runLoad(pool, req, 32, 1000)]);
 */
export function mergeLoads(runs: readonly LoadResult[]): LoadResult {
  if (runs.length === 0) throw new Error('mergeLoads needs at least one run');
  const latencies = new Float64Array(runs.reduce((n, r) => n + r.latencies.length, 0));
  let at = 0;
  for (const r of runs) {
    latencies.set(r.latencies, at);
    at += r.latencies.length;
  }
  return loadResult(runs[0].concurrency, runs.reduce((n, r) => n + r.elapsedMs, 0), latencies);
}
