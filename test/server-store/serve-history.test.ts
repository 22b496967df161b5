/**
 * `startServer` with history and auth on, end to end over HTTP: the example definitions and the
 * demo API, on SQLite and (when it answers) on the PostgreSQL at 127.0.0.1:5432. The same suite
 * runs on both: synchronous runs in the history, the trace, async runs with a callback, cancel,
 * idempotency, statistics, metrics, and the CLI's --remote commands against the server.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../engine/cli/main.js';
import { parseTokens, startServer, type RunningServer } from '../../engine/server/index.js';
import type { StoreOptions } from '../../engine/store/store.js';
import { json, startServer as startReceiver, type TestServer } from '../support/http.js';
import { describeWithService, dropTestSchema, POSTGRES_TEST_URL, uniqueTestSchema } from '../support/services.js';

const TOKEN = 'e2e-token-0123456789abcdef0123';
const READ_ONLY = 'e2e-read-0123456789abcdef01234';
const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const tokens = parseTokens(`[{name: e2e, tokenSha256: ${sha(TOKEN)}, scopes: [read, execute]}, {name: viewer, tokenSha256: ${sha(READ_ONLY)}, scopes: [read]}]`, 'tokens');
const CHECKOUT = { userId: '42', sku: 'SKU-003', quantity: 2 };

/** Runs `weft ARGS` in-process with WEFT_TOKEN set. */
async function weft(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const before = process.env.WEFT_TOKEN;
  process.env.WEFT_TOKEN = TOKEN;
  try {
    const code = await main(['node', 'weft', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
    return { code, out, err };
  } finally {
    if (before === undefined) delete process.env.WEFT_TOKEN;
    else process.env.WEFT_TOKEN = before;
  }
}

function historySuite(history: () => StoreOptions, cleanup: () => Promise<void>): void {
  let server: RunningServer;
  let receiver: TestServer;
  let delivered: (body: any) => void = () => {};

  beforeAll(async () => {
    receiver = await startReceiver((_req, res, body) => {
      json(res, 200, {});
      delivered(JSON.parse(body));
    });
    server = await startServer({ definitions: ['fixtures/examples'], port: 0, withDemoApi: true, demoApiPort: 0, watch: false, log: () => {}, history: history(), auth: { tokens } });
  }, 60_000);
  afterAll(async () => {
    await server?.close(1_000);
    await receiver?.close();
    await cleanup();
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };

  it('records a synchronous run before answering, and lists it', async () => {
    const run = await call('POST', '/api/v1/workflows/order-checkout/execute', { input: CHECKOUT });
    expect(run.status).toBe(200);
    const stored = await server.store!.getExecution(run.body.executionId);
    expect(stored).toMatchObject({ status: 'succeeded', trigger: 'api', output: run.body.output });
    const list = await call('GET', '/api/v1/workflows/order-checkout/executions?limit=5');
    expect(list.body.items[0]).toMatchObject({ id: run.body.executionId, status: 'succeeded' });
  });

  it('answers the trace with the planned groups of the version that ran and the recorded ones', async () => {
    const run = await call('POST', '/api/v1/workflows/order-checkout/execute', { input: CHECKOUT });
    const trace = await call('GET', `/api/v1/executions/${run.body.executionId}/trace`);
    expect(trace.body.parallelGroups.planned).toEqual([['fetch-user', 'check-stock', 'check-credit'], ['place-order']]);
    const actual: string[][] = trace.body.parallelGroups.actual;
    expect(actual.flat().sort()).toEqual(['check-credit', 'check-stock', 'fetch-user', 'place-order']);
    expect(actual[0]).toEqual(expect.arrayContaining(['fetch-user', 'check-stock', 'check-credit']));
  });

  it('runs asynchronously: 202 with Location, the callback receives the result, the Location shows it', async () => {
    const got = new Promise<any>((resolve) => (delivered = resolve));
    const accepted = await call('POST', '/api/v1/workflows/order-checkout/execute', { input: CHECKOUT, callbackUrl: `${receiver.url}/done` }, { prefer: 'respond-async' });
    expect(accepted.status).toBe(202);
    const result = await got;
    expect(result).toMatchObject({ executionId: accepted.body.executionId, status: 'succeeded' });
    const stored = await call('GET', accepted.headers.get('location')!);
    expect(stored.body).toMatchObject({ status: 'succeeded', trigger: 'api:async', output: result.output });
  });

  it('answers a repeated Idempotency-Key with the first result', async () => {
    const key = `e2e-key-${Math.random().toString(36).slice(2)}`;
    const a = await call('POST', '/api/v1/workflows/order-checkout/execute', { input: CHECKOUT }, { 'idempotency-key': key });
    const b = await call('POST', '/api/v1/workflows/order-checkout/execute', { input: CHECKOUT }, { 'idempotency-key': key });
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
  });

  it('gives workflow and task statistics over the runs', async () => {
    const stats = await call('GET', '/api/v1/workflows/order-checkout/stats');
    expect(stats.body.count).toBeGreaterThanOrEqual(3);
    expect(stats.body.successRate).toBe(1);
    expect(stats.body.durationMs.p95).toBeGreaterThan(0);
    const task = await call('GET', '/api/v1/tasks/create-order/stats?workflow=order-checkout');
    expect(task.body.count).toBeGreaterThanOrEqual(3);
    const versions = await call('GET', '/api/v1/workflows/order-checkout/versions');
    expect(versions.body.items).toEqual([expect.objectContaining({ current: true })]);
  });

  it('refuses a read-only token on execute and a missing token on the history', async () => {
    expect((await call('POST', '/api/v1/workflows/order-checkout/execute', { input: CHECKOUT }, { authorization: `Bearer ${READ_ONLY}` })).body.code).toBe('WF_AUTH_SCOPE');
    const res = await fetch(`${server.url}/api/v1/executions`);
    expect(res.status).toBe(401);
  });

  it('exposes executions, store commits and the HTTP pool at /metrics', async () => {
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${READ_ONLY}` } });
    const text = await res.text();
    expect(text).toMatch(/weft_executions_total\{namespace="default",workflow="order-checkout",status="succeeded"\} \d+/);
    expect(text).toMatch(/weft_store_commit_records_count [1-9]\d*/);
    expect(text).toMatch(/weft_http_pool_connected\{origin="http:\/\/127\.0\.0\.1:\d+"\} \d+/);
    expect(text).toMatch(/weft_step_duration_seconds_count\{namespace="default",task="create-order",status="succeeded"\} \d+/);
  });

  it('weft run --remote prints the output and the step table', async () => {
    const r = await weft('run', 'order-checkout', '--remote', server.url, '--input', JSON.stringify(CHECKOUT));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ status: 'pending', inStock: true });
    expect(r.err).toMatch(/^STEP +STATUS/);
    expect(r.err).toMatch(/order-checkout succeeded in .+ \(execution [0-9a-f-]{36}\)\n$/);
  });

  it('weft history --remote lists the runs as a table, weft logs --remote shows one trace', async () => {
    const h = await weft('history', 'order-checkout', '--remote', server.url, '--limit', '3', '--status', 'succeeded');
    expect(h.code).toBe(0);
    const lines = h.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^EXECUTION +STATUS +STARTED +DURATION +TRIGGER +VERSION +ERROR$/);
    expect(lines).toHaveLength(4);
    const id = lines[1].split(/\s+/)[0];
    const l = await weft('logs', id, '--remote', server.url);
    expect(l.code).toBe(0);
    expect(l.out).toContain(`default/order-checkout succeeded`);
    expect(l.out).toContain('planned parallel groups: [fetch-user, check-stock, check-credit] → [place-order]');
    expect(l.out).toMatch(/\nplace-order +succeeded +1 /);
  });

  it('weft run --remote exits 2 listing the input errors the engine found', async () => {
    const r = await weft('run', 'order-checkout', '--remote', server.url, '--input', '{"userId": 7}');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^weft run: .+ \[WF_INPUT_INVALID\]\n/);
    expect(r.err).toContain('/input/userId');
  });
}

describe('weft serve with history on SQLite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-e2e-'));
  });
  historySuite(
    () => ({ path: join(dir, 'weft.db') }),
    () => rm(dir, { recursive: true, force: true }),
  );

  it('weft history and weft logs read the SQLite file directly', async () => {
    const h = await weft('history', 'order-checkout', '--database-url', `sqlite:${join(dir, 'weft.db')}`, '--limit', '1');
    expect(h.code).toBe(0);
    const id = h.out.trimEnd().split('\n')[1].split(/\s+/)[0];
    const l = await weft('logs', id, '--database-url', `sqlite:${join(dir, 'weft.db')}`);
    expect(l.out).toContain(`execution ${id}`);
  });
});

const schema = uniqueTestSchema('e2e');
await describeWithService('postgres', 'weft serve with history on PostgreSQL', () => {
  historySuite(
    () => ({ url: POSTGRES_TEST_URL, schema }),
    () => dropTestSchema(schema),
  );
});
