/**
 * The real `weft serve` (bin/weft.mjs, history on) under a bounded load, killed with SIGKILL:
 * every execution whose 200 reached the client is in the history afterwards, finished, with all
 * four steps. On SQLite and on PostgreSQL; on PostgreSQL also two replicas on one schema, each
 * listing the runs of the other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../fixtures/demo-api/server.js';
import { openStore, type ExecutionStore } from '../../engine/store/store.js';
import { describeWithService, dropTestSchema, POSTGRES_TEST_URL, uniqueTestSchema } from '../support/services.js';

const CHECKOUT = JSON.stringify({ input: { userId: '42', sku: 'SKU-003', quantity: 2 } });
const STEPS = ['fetch-user', 'check-stock', 'check-credit', 'place-order'];

interface Serve {
  url: string;
  child: ChildProcess;
  exited: Promise<NodeJS.Signals | number | null>;
}

let api: DemoApi;
const running: Serve[] = [];
beforeAll(async () => {
  api = await startDemoApi({ port: 0 });
});
afterEach(async () => {
  for (const s of running.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await s.exited;
  }
});
afterAll(() => api.close());

/** Starts `weft serve --no-auth --database-url URL` and waits for its listening line. */
function serve(databaseUrl: string): Promise<Serve> {
  const child = spawn(process.execPath, ['bin/weft.mjs', 'serve', '--no-auth', '--port', '0', '--origin', `http://demo-api=${api.url}`, '--database-url', databaseUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  child.stdout!.resume();
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      err += c;
      const m = /weft listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        const s = { url: m[1], child, exited };
        running.push(s);
        resolve(s);
      }
    });
    void exited.then((how) => reject(new Error(`weft serve exited (${how}) before listening: ${err}`)));
  });
}

/**
 * Sends at most `maxRequests` executes from `workers` loops and kills the server with SIGKILL
 * once `killAfter` answers arrived; returns the execution ids of the 200s that arrived whole.
 */
async function loadThenKill(s: Serve, options: { workers: number; maxRequests: number; killAfter: number }): Promise<{ acknowledged: string[]; failed: number }> {
  const pool = new Pool(s.url, { connections: options.workers });
  const acknowledged: string[] = [];
  let sent = 0;
  let failed = 0;
  const worker = async () => {
    while (sent < options.maxRequests) {
      sent++;
      try {
        const res = await pool.request({ method: 'POST', path: '/api/v1/workflows/order-checkout/execute', headers: { 'content-type': 'application/json' }, body: CHECKOUT });
        const body = JSON.parse(await res.body.text()) as { executionId: string; status: string };
        if (res.statusCode === 200 && body.status === 'succeeded') acknowledged.push(body.executionId);
        if (acknowledged.length === options.killAfter) s.child.kill('SIGKILL');
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
  await pool.destroy();
  return { acknowledged, failed };
}

async function expectAcknowledgedRunsStored(databaseUrl: string, reopen: () => Promise<ExecutionStore>): Promise<void> {
  const s = await serve(databaseUrl);
  const { acknowledged, failed } = await loadThenKill(s, { workers: 8, maxRequests: 400, killAfter: 60 });
  expect(await s.exited).toBe('SIGKILL');
  expect(acknowledged.length).toBeGreaterThanOrEqual(60);
  expect(failed).toBeGreaterThanOrEqual(1);
  const store = await reopen();
  try {
    for (const id of acknowledged) {
      const run = await store.getExecution(id);
      expect(run, `execution ${id} answered 200 but is missing`).toMatchObject({ status: 'succeeded', workflow: 'order-checkout', trigger: 'api' });
      expect(run!.steps.map((st) => st.path)).toEqual(STEPS);
      expect(run!.steps.every((st) => st.status === 'succeeded' && st.httpStatus !== undefined)).toBe(true);
    }
  } finally {
    await store.close();
  }
}

describe('weft serve killed under load, SQLite history', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'weft-serve-kill-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every run it answered 200 for', async () => {
    const file = join(dir, 'weft.db');
    await expectAcknowledgedRunsStored(`sqlite:${file}`, () => openStore({ path: file }));
  }, 60_000);
});

const schema = uniqueTestSchema('serve_kill');
/** The test database with the schema as search path (created first: `--database-url` cannot create it). */
const schemaUrl = `${POSTGRES_TEST_URL}${POSTGRES_TEST_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

await describeWithService('postgres', 'weft serve killed under load, PostgreSQL history', () => {
  beforeAll(async () => {
    // Opening the store with `schema` creates the schema and migrates it once.
    await (await openStore({ url: POSTGRES_TEST_URL, schema })).close();
  });
  afterAll(() => dropTestSchema(schema));

  it('keeps every run it answered 200 for', async () => {
    await expectAcknowledgedRunsStored(schemaUrl, () => openStore({ url: POSTGRES_TEST_URL, schema }));
  }, 60_000);

  it('two replicas on one database each list the runs started on the other', async () => {
    const [a, b] = await Promise.all([serve(schemaUrl), serve(schemaUrl)]);
    const run = async (s: Serve) => {
      const res = await fetch(`${s.url}/api/v1/workflows/order-checkout/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: CHECKOUT });
      expect(res.status).toBe(200);
      return res.headers.get('x-execution-id')!;
    };
    const onA = await run(a);
    const onB = await run(b);
    for (const s of [a, b]) {
      const page = (await (await fetch(`${s.url}/api/v1/workflows/order-checkout/executions?limit=1000`)).json()) as { items: Array<{ id: string }> };
      expect(page.items.map((e) => e.id)).toEqual(expect.arrayContaining([onA, onB]));
    }
    const trace = (await (await fetch(`${b.url}/api/v1/executions/${onA}/trace`)).json()) as { parallelGroups: { planned: string[][] } };
    expect(trace.parallelGroups.planned).toEqual([['fetch-user', 'check-stock', 'check-credit'], ['place-order']]);
  }, 60_000);
});
