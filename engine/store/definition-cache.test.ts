import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeWithService, dropTestSchema, POSTGRES_TEST_URL, uniqueTestSchema } from '../../test/support/services.js';
import { openStore } from './store.js';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { catalogRoutes } from '../server/catalog.js';
import { DefinitionCache, taskRefsOf, type CachedObject as KubeObject } from './definition-cache.js';

let dir: string;
let cache: DefinitionCache;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-cache-'));
  cache = await DefinitionCache.open({ path: join(dir, 'weft.db') });
});
afterEach(async () => {
  await cache.close();
  await rm(dir, { recursive: true, force: true });
});

const task = (name: string, namespace = 'shop', extra: Partial<KubeObject['metadata']> = {}, description?: string): KubeObject => ({
  apiVersion: 'workflow.io/v1',
  kind: 'WorkflowTask',
  metadata: { name, namespace, ...extra },
  spec: { type: 'http', ...(description ? { description } : {}), http: { url: `http://demo-api/${name}` } },
});
const workflow = (name: string, steps: unknown[], namespace = 'shop'): KubeObject => ({ apiVersion: 'workflow.io/v1', kind: 'Workflow', metadata: { name, namespace }, spec: { tasks: steps } });

const objects = () => [
  task('get-user', 'shop', { labels: { team: 'identity' } }, 'Fetch a user'),
  task('charge-card', 'shop', { labels: { team: 'payments' } }, 'Charge a card'),
  task('legacy-export', 'shop'),
  task('get-user', 'billing'),
  workflow('checkout', [{ id: 'u', taskRef: 'get-user' }, { id: 'pay', forEach: { items: '{{ input.cards }}' }, tasks: [{ id: 'c', taskRef: 'charge-card' }] }]),
  workflow('invoice', [{ id: 'u', taskRef: 'get-user' }], 'billing'),
];

describe('DefinitionCache', () => {
  it('delta-syncs: inserts, then writes only what changed, then removes what is gone', async () => {
    expect(await cache.deltaSync(objects(), { sourceVersion: 'abc' })).toEqual({ added: 6, updated: 0, removed: 0, unchanged: 0 });
    expect(await cache.deltaSync(objects())).toEqual({ added: 0, updated: 0, removed: 0, unchanged: 6 });
    const changed = objects().filter((o) => o.metadata.name !== 'legacy-export');
    (changed[0].spec as { http: { url: string } }).http.url = 'http://demo-api/v2/users';
    expect(await cache.deltaSync(changed)).toEqual({ added: 0, updated: 1, removed: 1, unchanged: 4 });
  });

  it('a reopened cache loads every definition into a registry without the source', async () => {
    await cache.deltaSync(objects());
    await cache.close();
    cache = await DefinitionCache.open({ path: join(dir, 'weft.db') });
    const registry = await cache.registry();
    expect([...registry.tasks.keys()].sort()).toEqual(['billing/get-user', 'shop/charge-card', 'shop/get-user', 'shop/legacy-export']);
    expect(registry.workflow('checkout', 'shop')!.spec.tasks.map((s) => s.id)).toEqual(['u', 'pay']);
    expect(await cache.deltaSync(objects())).toMatchObject({ unchanged: 6 });
  });

  it('searches by name or description, namespace and label', async () => {
    await cache.deltaSync(objects());
    expect((await cache.search({ search: 'USER' })).items.map((i) => `${i.namespace}/${i.name}`)).toEqual(['billing/get-user', 'shop/get-user']);
    expect((await cache.search({ search: 'card', kind: 'WorkflowTask' })).items.map((i) => i.name)).toEqual(['charge-card']);
    expect((await cache.search({ namespace: 'billing' })).total).toBe(2);
    expect((await cache.search({ labels: { team: 'payments' } })).items.map((i) => i.name)).toEqual(['charge-card']);
    expect((await cache.search({ search: '%' })).total).toBe(0);
  });

  it('answers which workflows use a task (nested steps included) and which tasks are unused', async () => {
    await cache.deltaSync(objects());
    expect(await cache.workflowsUsingTask('shop', 'charge-card')).toEqual([{ namespace: 'shop', name: 'checkout' }]);
    expect(await cache.tasksUsedBy('shop', 'checkout')).toEqual([{ namespace: 'shop', name: 'charge-card' }, { namespace: 'shop', name: 'get-user' }]);
    expect(await cache.unusedTasks()).toEqual([{ namespace: 'shop', name: 'legacy-export' }]);
    expect(await cache.counts()).toEqual({ total: 6, byKind: { Workflow: 2, WorkflowTask: 4 }, byNamespace: { billing: { Workflow: 1, WorkflowTask: 1 }, shop: { Workflow: 1, WorkflowTask: 3 } }, unusedTasks: 1 });
  });

  it('collects task references from switch cases and defaults, and namespaced refs', () => {
    const wf = workflow('route', [{ id: 's', switch: { value: '{{ input.x }}', cases: [{ match: 'a', taskRef: 'task-a' }], default: { taskRef: 'other/task-b' } } }]);
    expect(taskRefsOf(wf).map((r) => `${r.task_namespace}/${r.task_name}`)).toEqual(['shop/task-a', 'other/task-b']);
  });

  it('serves the query API over HTTP', async () => {
    await cache.deltaSync(objects());
    const app = catalogRoutes(cache);
    const list = await (await app.request('/api/v1/catalog/tasks?search=user&namespace=shop')).json();
    expect(list).toMatchObject({ total: 1, items: [{ kind: 'WorkflowTask', namespace: 'shop', name: 'get-user', labels: { team: 'identity' } }] });
    expect(await (await app.request('/api/v1/catalog/tasks/shop/get-user/workflows')).json()).toEqual({ items: [{ namespace: 'shop', name: 'checkout' }] });
    expect(await (await app.request('/api/v1/catalog/tasks/unused')).json()).toEqual({ items: [{ namespace: 'shop', name: 'legacy-export' }] });
    expect(((await (await app.request('/api/v1/catalog/stats')).json()) as { total: number }).total).toBe(6);
    const bad = await app.request('/api/v1/catalog/workflows?label=team');
    expect(bad.status).toBe(400);
  });
});

const pgSchema = uniqueTestSchema('definition_cache');
await describeWithService('postgres', 'DefinitionCache on PostgreSQL', () => {
  afterAll(() => dropTestSchema(pgSchema));

  it('migrates into the schema of the connection and reloads what it synced', async () => {
    // The store creates the schema; the cache follows the URL's search_path into it.
    await (await openStore({ url: POSTGRES_TEST_URL, schema: pgSchema })).close();
    const url = `${POSTGRES_TEST_URL}${POSTGRES_TEST_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${pgSchema}`)}`;
    const pg = await DefinitionCache.open({ url });
    try {
      expect(await pg.deltaSync(objects())).toMatchObject({ added: 6 });
    } finally {
      await pg.close();
    }
    const again = await DefinitionCache.open({ url });
    try {
      expect((await again.registry()).workflows.size).toBe(2);
      expect(await again.unusedTasks()).toEqual([{ namespace: 'shop', name: 'legacy-export' }]);
    } finally {
      await again.close();
    }
  });
});
