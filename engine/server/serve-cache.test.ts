/**
 * `startServer` with the definition cache on the history database: a restart serves the cached
 * definitions before the definition directory has been read, and every accepted reload is
 * delta-synced into the cache.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type LogEntry, type RunningServer } from './index.js';

const definitions = (factor: number) => `
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: scale }
spec:
  type: transform
  description: Multiply a number
  transform: { expression: "{ 'value': n * ${factor} }" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: scaled, labels: { team: maths } }
spec:
  input: { type: object, properties: { n: { type: number } }, required: [n] }
  tasks:
    - { id: s, taskRef: scale, input: { n: "{{input.n}}" } }
  output: { value: "{{tasks.s.output.value}}" }
`;

let dir: string;
let server: RunningServer | undefined;
let fifo: string | undefined;
const logs: LogEntry[] = [];
let waiters: Array<(e: LogEntry) => void> = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-serve-cache-'));
  logs.length = 0;
  waiters = [];
});
afterEach(async () => {
  // A reader still blocked on the FIFO holds a thread-pool thread: give it its text.
  if (fifo) await writeFile(fifo, definitions(2)).catch(() => undefined);
  fifo = undefined;
  await server?.close(100);
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

const log = (e: LogEntry) => {
  logs.push(e);
  for (const w of [...waiters]) w(e);
};
/** Resolves with the first log entry (logged already or next) for which `check` holds. */
const logged = (check: (e: LogEntry) => boolean) =>
  new Promise<LogEntry>((resolve) => {
    const seen = logs.find(check);
    if (seen) return resolve(seen);
    const w = (e: LogEntry) => {
      if (!check(e)) return;
      waiters = waiters.filter((x) => x !== w);
      resolve(e);
    };
    waiters.push(w);
  });

const start = (defs: string, extra: Partial<Parameters<typeof startServer>[0]> = {}) =>
  startServer({ definitions: [defs], port: 0, watch: false, log, history: { path: join(dir, 'weft.db') }, ...extra });

const execute = (s: RunningServer, n: number) => fetch(`${s.url}/api/v1/workflows/scaled/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { n } }) });

describe('startServer with the definition cache', () => {
  it('after a restart serves the cached workflow before the definition directory has been read', async () => {
    const first = join(dir, 'first');
    await mkdir(first);
    await writeFile(join(first, 'defs.yaml'), definitions(2));
    server = await start(first);
    await logged((e) => e.msg === 'definition cache synced');
    await server.close(100);

    // The second start's directory holds a FIFO: reading it blocks until the test writes into it.
    const slow = join(dir, 'slow');
    await mkdir(slow);
    fifo = join(slow, 'defs.yaml');
    execFileSync('mkfifo', [fifo]);
    server = await start(slow);
    expect(server.definitions.status).toBeUndefined();
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', workflows: 1, tasks: 1 });
    const run = await execute(server, 21);
    expect(run.status).toBe(200);
    expect(((await run.json()) as { output: unknown }).output).toEqual({ value: 42 });
    expect(await (await fetch(`${server.url}/api/v1/definitions/status`)).json()).toEqual({ source: 'cache', loading: true, workflows: 1, tasks: 1 });
    expect(server.definitions.status).toBeUndefined();

    // The directory arrives with a changed task: it replaces the cached one.
    await writeFile(fifo, definitions(3));
    fifo = undefined;
    const status = await server.loaded;
    expect(status).toMatchObject({ ok: true, workflows: 1, tasks: 1 });
    expect(((await (await execute(server, 21)).json()) as { output: unknown }).output).toEqual({ value: 63 });
  });

  it('delta-syncs a changed file into the cache after the reload that accepts it', async () => {
    const defs = join(dir, 'defs');
    await mkdir(defs);
    await writeFile(join(defs, 'defs.yaml'), definitions(2));
    server = await start(defs);
    expect(await logged((e) => e.msg === 'definition cache synced' && e.generation === 1)).toMatchObject({ added: 2, updated: 0, removed: 0 });
    const before = (await server.definitionCache!.search({ kind: 'WorkflowTask' })).items[0].version;

    await writeFile(join(defs, 'defs.yaml.tmp'), definitions(5));
    await rename(join(defs, 'defs.yaml.tmp'), join(defs, 'defs.yaml'));
    await server.definitions.reload();
    expect(await logged((e) => e.msg === 'definition cache synced' && e.generation === 2)).toMatchObject({ added: 0, updated: 1, removed: 0, unchanged: 1 });
    const task = (await server.definitionCache!.search({ kind: 'WorkflowTask' })).items[0];
    expect(task.version).not.toBe(before);
    expect(task.sourceVersion).toBe('reload-2');
    const registry = await server.definitionCache!.registry();
    expect(registry.tasks.get('default/scale')!.spec.transform).toEqual({ expression: "{ 'value': n * 5 }" });
  });

  it('answers the catalog routes from the cache: search by label, which workflows use a task, counts', async () => {
    const defs = join(dir, 'defs');
    await mkdir(defs);
    await writeFile(join(defs, 'defs.yaml'), definitions(2));
    server = await start(defs);
    await logged((e) => e.msg === 'definition cache synced');
    const get = async (path: string) => (await fetch(`${server!.url}${path}`)).json();
    expect(await get('/api/v1/catalog/workflows?label=team=maths')).toMatchObject({ total: 1, items: [{ name: 'scaled', labels: { team: 'maths' } }] });
    expect(await get('/api/v1/catalog/tasks/default/scale/workflows')).toEqual({ items: [{ namespace: 'default', name: 'scaled' }] });
    expect(await get('/api/v1/catalog/stats')).toMatchObject({ total: 2, unusedTasks: 0 });
  });

  it('with definitionCache false keeps no cache and answers the catalog with 503 WF_CATALOG_OFF', async () => {
    const defs = join(dir, 'defs');
    await mkdir(defs);
    await writeFile(join(defs, 'defs.yaml'), definitions(2));
    server = await start(defs, { definitionCache: false });
    expect(server.definitionCache).toBeUndefined();
    const res = await fetch(`${server.url}/api/v1/catalog/stats`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe('WF_CATALOG_OFF');
  });
});
