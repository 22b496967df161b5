/**
 * Every operation of the OpenAPI document answers as documented: each is called for real with a
 * request that succeeds, and its status, content type and body (checked with ajv against the
 * documented schema) must be the documented ones. Problems are checked against `Problem` in
 * errors.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefinitionCache, registryObjects } from '../store/definition-cache.js';
import { openApiDocument } from './openapi.js';
import { documentedValidator, historyApp, post, startUpstream, testRegistry, type HistoryApp, type Upstream } from './test-app.js';

const doc = openApiDocument();

let upstream: Upstream;
let h: HistoryApp;
let id: string;
let cacheDir: string;
let cache: DefinitionCache;

beforeAll(async () => {
  upstream = await startUpstream();
  cacheDir = await mkdtemp(join(tmpdir(), 'weft-openapi-cache-'));
  cache = await DefinitionCache.open({ path: join(cacheDir, 'weft.db') });
  const registry = testRegistry();
  await cache.deltaSync(registryObjects(registry));
  h = await historyApp(upstream, { catalog: cache });
  const run = await post(h.app, '/api/v1/workflows/pair/execute', {});
  id = run.headers.get('x-execution-id')!;
});
afterAll(async () => {
  upstream.release();
  await h.close();
  await upstream.close();
  await cache.close();
  await rm(cacheDir, { recursive: true, force: true });
});

/** Requests that succeed, by operation; several for an operation with several success answers. */
const SUCCESS: Record<string, Array<() => Response | Promise<Response>>> = {
  'GET /healthz': [() => h.app.request('/healthz')],
  'GET /readyz': [() => h.app.request('/readyz')],
  'GET /metrics': [() => h.app.request('/metrics')],
  'GET /api/v1/openapi.json': [() => h.app.request('/api/v1/openapi.json')],
  'GET /api/v1/definitions/status': [() => h.app.request('/api/v1/definitions/status')],
  'GET /api/v1/workflows': [() => h.app.request('/api/v1/workflows')],
  'GET /api/v1/workflows/{name}': [() => h.app.request('/api/v1/workflows/pair')],
  'POST /api/v1/workflows/{name}/execute': [() => post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '1' } }), () => post(h.app, '/api/v1/workflows/greet/execute?mode=async', { input: { userId: '2' } })],
  'POST /api/v1/workflows/{name}/test': [() => post(h.app, '/api/v1/workflows/pair/test', {})],
  'GET /api/v1/workflows/{name}/executions': [() => h.app.request('/api/v1/workflows/pair/executions?limit=1')],
  'GET /api/v1/workflows/{name}/versions': [() => h.app.request('/api/v1/workflows/pair/versions')],
  'GET /api/v1/workflows/{name}/stats': [() => h.app.request('/api/v1/workflows/pair/stats')],
  'GET /api/v1/executions': [() => h.app.request('/api/v1/executions?status=succeeded')],
  'GET /api/v1/executions/{id}': [() => h.app.request(`/api/v1/executions/${id}`)],
  'GET /api/v1/executions/{id}/trace': [() => h.app.request(`/api/v1/executions/${id}/trace`)],
  'POST /api/v1/executions/{id}/cancel': [
    async () => {
      const hung = upstream.nextHang();
      const started = await post(h.app, '/api/v1/workflows/wait/execute?mode=async', {});
      await hung;
      return post(h.app, `/api/v1/executions/${started.headers.get('x-execution-id')}/cancel`, '');
    },
  ],
  'GET /api/v1/tasks': [() => h.app.request('/api/v1/tasks')],
  'GET /api/v1/tasks/{name}': [() => h.app.request('/api/v1/tasks/get-user')],
  'GET /api/v1/tasks/{name}/stats': [() => h.app.request('/api/v1/tasks/get-user/stats')],
  'GET /api/v1/catalog/workflows': [() => h.app.request('/api/v1/catalog/workflows?search=gre&namespace=default&limit=5')],
  'GET /api/v1/catalog/tasks': [() => h.app.request('/api/v1/catalog/tasks?search=user')],
  'GET /api/v1/catalog/stats': [() => h.app.request('/api/v1/catalog/stats')],
  'GET /api/v1/catalog/tasks/unused': [() => h.app.request('/api/v1/catalog/tasks/unused')],
  'GET /api/v1/catalog/tasks/{namespace}/{name}/workflows': [() => h.app.request('/api/v1/catalog/tasks/default/get-user/workflows')],
  'GET /api/v1/catalog/workflows/{namespace}/{name}/tasks': [() => h.app.request('/api/v1/catalog/workflows/default/pair/tasks')],
};

const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })));

describe('every documented operation', () => {
  const check = documentedValidator(doc);

  it('has a success request here, and nothing here is undocumented', () => {
    expect(Object.keys(SUCCESS).sort()).toEqual(operations.map((o) => o.key).sort());
  });

  for (const { key, op } of operations) {
    it(`${key} answers a documented status with a body of the documented schema`, async () => {
      const answered = new Set<string>();
      for (const request of SUCCESS[key] ?? []) {
        const res = await request();
        const documented = op.responses[String(res.status)];
        expect(documented, `${key} answered ${res.status}`).toBeDefined();
        expect(res.status).toBeLessThan(300);
        answered.add(String(res.status));
        const [mediaType, media] = Object.entries(documented.content ?? {})[0] as [string, { schema: object }];
        expect(res.headers.get('content-type')).toContain(mediaType);
        const body = mediaType === 'application/json' ? await res.json() : await res.text();
        expect(check(media.schema, body)).toEqual([]);
        // Headers documented as optional (`required: false`, or Link) may be absent.
        for (const [header, spec] of Object.entries<{ required?: boolean }>(documented.headers ?? {})) if (header !== 'link' && spec.required !== false) expect(res.headers.get(header), `${key} ${res.status} header ${header}`).not.toBeNull();
      }
      expect([...answered].sort()).toEqual(Object.keys(op.responses).filter((s) => Number(s) < 300).sort());
    });
  }
});
