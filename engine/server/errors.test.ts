/**
 * Walks every error response the OpenAPI document lists, route by route: each is triggered for
 * real and must answer that status as problem+json with a stable code, the request id and a hint.
 * A documented error without a trigger here (or a trigger for an undocumented one) fails the walk.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../run/engine.js';
import { DefinitionCache } from '../store/definition-cache.js';
import { createApp } from './app.js';
import { parseTokens } from './auth.js';
import { DefinitionSource } from './definitions.js';
import { openApiDocument } from './openapi.js';
import { documentedValidator, historyApp, post, startUpstream, testRegistry, type HistoryApp, type Upstream } from './test-app.js';

type App = ReturnType<typeof createApp>;
type Trigger = () => Promise<Response>;

const READ = 'read-only-token-0123456789abcdef';
const EXEC = 'execute-only-token-0123456789abcd';
const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const doc = openApiDocument();
const check = documentedValidator(doc);

let upstream: Upstream;
let h: HistoryApp;
let broken: HistoryApp;
let secured: App;
let noHistory: App;
let notReady: App;
let catalog: App;
let brokenCatalog: App;
let cacheDir: string;
const engines: Engine[] = [];
let finishedId: string;

beforeAll(async () => {
  upstream = await startUpstream();
  h = await historyApp(upstream, { maxBodyBytes: 1024 });
  broken = await historyApp(upstream);
  await broken.store.close();
  const tokens = parseTokens(`[{name: reader, tokenSha256: ${sha(READ)}, scopes: [read]}, {name: runner, tokenSha256: ${sha(EXEC)}, scopes: [execute]}]`, 'tokens');
  const engine = () => {
    const e = new Engine(testRegistry());
    engines.push(e);
    return e;
  };
  secured = createApp({ engine: engine(), auth: { tokens } });
  noHistory = createApp({ engine: engine() });
  notReady = createApp({ engine: engine(), definitions: new DefinitionSource([]) });
  cacheDir = await mkdtemp(join(tmpdir(), 'weft-errors-cache-'));
  catalog = createApp({ engine: engine(), catalog: await DefinitionCache.open({ path: join(cacheDir, 'open.db') }) });
  const closed = await DefinitionCache.open({ path: join(cacheDir, 'closed.db') });
  await closed.close();
  brokenCatalog = createApp({ engine: engine(), catalog: closed });
  const run = await post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '1' } });
  finishedId = run.headers.get('x-execution-id')!;
  await h.store.recordStart({ executionId: 'cron-run', workflow: { name: 'greet', namespace: 'default' }, input: { userId: '1' }, trigger: 'cron:nightly', idempotencyKey: 'k-running' });
  await post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '1' } }, { 'idempotency-key': 'k-greet' });
});
afterAll(async () => {
  await h.close();
  await broken.close();
  for (const e of engines) await e.close();
  await upstream.close();
  await rm(cacheDir, { recursive: true, force: true });
});

let requestNo = 0;
const nextId = () => `walk-${++requestNo}`;
/** A request with a fresh x-request-id, which the problem must carry. */
const send = (app: App, method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Response> =>
  Promise.resolve(app.request(path, { method, body: init.body, headers: { 'x-request-id': nextId(), 'content-type': 'application/json', ...init.headers } }));

/** A valid path of the operation: `{name}` is a loaded workflow or task, `{id}` a stored execution. */
const concrete = (path: string) => path.replace('{namespace}', 'default').replace('{id}', finishedId).replace('/tasks/{name}', '/tasks/get-user').replace('{name}', 'greet');
const isHistory = (path: string) => path.startsWith('/api/v1/executions') || /\/(executions|versions|stats)$/.test(path);

/** The triggers of one operation, by status. */
function triggers(method: string, path: string, op: any): Record<number, Trigger> {
  const p = concrete(path);
  const t: Record<number, Trigger> = {};
  const scope = op.security?.[0]?.bearer?.[0];
  if (scope) {
    t[401] = () => send(secured, method, p);
    t[403] = () => send(secured, method, p, { headers: { authorization: `Bearer ${scope === 'read' ? EXEC : READ}` } });
  }
  if (path === '/readyz' || (path.startsWith('/api/v1/') && path !== '/api/v1/openapi.json')) t[503] = () => send(isHistory(path) ? noHistory : notReady, method, p);
  if (isHistory(path) && !path.startsWith('/api/v1/catalog/')) t[400] = () => send(h.app, method, `${p}?bogus=1`);
  if (path.startsWith('/api/v1/catalog/')) t[400] = () => send(catalog, method, `${p}?bogus=1`);
  if (path === '/api/v1/workflows/{name}' || path === '/api/v1/workflows/{name}/test' || path === '/api/v1/workflows/{name}/execute') t[404] = () => send(h.app, method, path.replace('{name}', 'greeet'));
  if (path === '/api/v1/tasks/{name}' || path === '/api/v1/tasks/{name}/stats') t[404] = () => send(h.app, method, path.replace('{name}', 'get-usr'));
  if (path === '/api/v1/workflows/{name}/versions' || path === '/api/v1/workflows/{name}/stats') t[404] = () => send(h.app, method, path.replace('{name}', 'greeet'));
  if (path.startsWith('/api/v1/executions/{id}')) t[404] = () => send(h.app, method, path.replace('{id}', 'no-such-run'));
  if (path === '/api/v1/executions/{id}/cancel') t[409] = () => send(h.app, method, p);
  if (path.endsWith('/test') || path.endsWith('/execute')) {
    t[400] = () => send(h.app, method, p, { body: '{"input": ' });
    t[413] = () => send(h.app, method, p, { body: JSON.stringify({ input: { userId: 'x'.repeat(2000) } }) });
  }
  if (path.endsWith('/execute')) {
    t[409] = () => send(h.app, method, p, { body: '{"input": {"userId": "1"}}', headers: { 'idempotency-key': 'k-running' } });
    t[422] = () => send(h.app, method, path.replace('{name}', 'pair'), { headers: { 'idempotency-key': 'k-greet' } });
    t[502] = () => send(h.app, method, path.replace('{name}', 'explode'));
  }
  return t;
}

const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));

describe('every documented error response', () => {
  for (const { method, path, op } of operations) {
    const documented = Object.keys(op.responses)
      .map(Number)
      .filter((s) => s >= 400)
      .sort();
    it(`${method} ${path}: ${documented.join(', ') || 'no errors'} answer as problem+json with code, request id and hint`, async () => {
      const t = triggers(method, path, op);
      expect(Object.keys(t).map(Number).sort()).toEqual(documented);
      for (const status of documented) {
        const res = await t[status]();
        const body = (await res.json()) as Record<string, unknown>;
        expect({ status: res.status, code: body.code }).toMatchObject({ status });
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(body).toMatchObject({ status, type: `/problems/${body.code}`, requestId: res.headers.get('x-request-id'), instance: expect.any(String) });
        expect(body.code).toMatch(/^WF_[A-Z0-9_]+$/);
        expect(typeof body.hint === 'string' && body.hint.length > 0).toBe(true);
        expect(String(body.requestId)).toMatch(/^walk-\d+$/);
        expect(check({ $ref: '#/components/schemas/Problem' }, body)).toEqual([]);
      }
    });
  }

  it('answers 503 WF_HISTORY_WRITE_FAILED with the execution when the record cannot be stored', async () => {
    const res = await post(broken.app, '/api/v1/workflows/greet/execute', { input: { userId: '1' } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'WF_HISTORY_WRITE_FAILED', execution: { status: 'succeeded' }, hint: expect.any(String) });
  });

  it('answers 503 WF_CATALOG_OFF on catalog routes of an app without a definition cache', async () => {
    const res = await send(noHistory, 'GET', '/api/v1/catalog/workflows');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'WF_CATALOG_OFF', hint: expect.stringContaining('--no-definition-cache') });
  });

  it('answers 503 WF_CATALOG_UNAVAILABLE when the definition cache fails a query, without the cause', async () => {
    const res = await send(brokenCatalog, 'GET', '/api/v1/catalog/tasks?search=user');
    const body = (await res.json()) as Record<string, unknown>;
    expect({ status: res.status, code: body.code }).toEqual({ status: 503, code: 'WF_CATALOG_UNAVAILABLE' });
    expect(JSON.stringify(body)).not.toMatch(/destroy|driver|sqlite/i);
  });

  it('answers 503 WF_HISTORY_UNAVAILABLE when the history database fails a query, without the cause', async () => {
    const res = await send(broken.app, 'GET', '/api/v1/executions');
    const body = (await res.json()) as Record<string, unknown>;
    expect([res.status, body.code]).toEqual([503, 'WF_HISTORY_UNAVAILABLE']);
    expect(broken.logs.find((e) => e.msg === 'history query failed')).toMatchObject({ level: 'error', error: expect.any(String) });
  });

  it('answers 503 WF_HISTORY_UNAVAILABLE for an Idempotency-Key it cannot check, and runs nothing', async () => {
    const calls = upstream.calls.length;
    const res = await send(broken.app, 'POST', '/api/v1/workflows/greet/execute', { body: '{"input": {"userId": "1"}}', headers: { 'idempotency-key': 'k-down' } });
    expect([res.status, ((await res.json()) as Record<string, unknown>).code]).toEqual([503, 'WF_HISTORY_UNAVAILABLE']);
    expect(upstream.calls.length).toBe(calls);
  });

  it('serves the OpenAPI document while the definitions are still loading', async () => {
    expect((await send(notReady, 'GET', '/api/v1/openapi.json')).status).toBe(200);
  });

  it('answers 405 with Allow and 404 for unknown routes as problems too', async () => {
    const wrong = await send(h.app, 'DELETE', '/api/v1/executions');
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'GET']);
    const unknown = await send(h.app, 'GET', '/api/v1/nowhere');
    expect(await unknown.json()).toMatchObject({ status: 404, code: 'WF_ROUTE_NOT_FOUND', hint: expect.any(String) });
  });
});
