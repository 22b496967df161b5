import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { loadRegistry } from '../../engine/load/index.js';
import { SyncController } from '../../controller/controller.js';
import { DefinitionCache } from '../../engine/store/definition-cache.js';
import { ManualClock } from '../../controller/clock.js';
import { syncApp } from '../../controller/http.js';
import { GitSource } from '../../controller/source/git.js';
import { DefinitionsDirectoryTarget } from '../../controller/targets/directory.js';
import type { IgnoreRule, SyncPolicy } from '../../controller/model.js';
import type { SyncStatus } from '../../controller/status/status.js';
import { createRepo, taskYaml, tempDir, type TestRepo } from './repo.js';

let repo: TestRepo;
let cache: { dir: string; cleanup: () => Promise<void> };
let defs: { dir: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  repo = await createRepo();
  cache = await tempDir('weft-git-cache-');
  defs = await tempDir('weft-definitions-');
});
afterEach(async () => {
  await repo.cleanup();
  await cache.cleanup();
  await defs.cleanup();
});

const workflowYaml = (name: string, taskRef: string) =>
  `apiVersion: workflow.io/v1\nkind: Workflow\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n  timeout: 10s\n  tasks:\n    - id: first\n      taskRef: ${taskRef}\n`;

function make(policy: SyncPolicy = { automated: { prune: true, selfHeal: true } }, ignore: IgnoreRule[] = []): SyncController {
  return new SyncController({
    application: 'shop',
    source: new GitSource({ repoURL: repo.dir, targetRevision: 'main', path: 'defs' }, { cacheDir: cache.dir }),
    target: new DefinitionsDirectoryTarget(defs.dir),
    policy,
    ignore,
    clock: new ManualClock(),
  });
}

describe('SyncController against a Weft engine (the definitions directory it watches)', () => {
  it('writes the revision as files the engine loads', async () => {
    await repo.commit({ 'defs/tasks.yaml': taskYaml('get-user'), 'defs/wf.yaml': workflowYaml('profile', 'get-user') });
    const record = await make().request('poll');
    expect(record).toMatchObject({ result: 'synced', applied: 2 });
    const { registry, diagnostics } = await loadRegistry([defs.dir]);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect([...registry.tasks.keys()]).toEqual(['shop/get-user']);
    expect([...registry.workflows.keys()]).toEqual(['shop/profile']);
  });

  it('heals a definition file edited by hand and prunes one removed from Git', async () => {
    await repo.commit({ 'defs/a.yaml': taskYaml('task-a', { timeout: '5s' }), 'defs/b.yaml': taskYaml('task-b'), 'defs/c.yaml': taskYaml('task-c') });
    const c = make();
    await c.request('poll');
    const file = join(defs.dir, 'shop', 'WorkflowTask-task-a.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('timeout: 5s', 'timeout: 50s'));
    await repo.commit({ 'defs/c.yaml': null });
    const record = await c.request('poll');
    expect(record).toMatchObject({ applied: 1, pruned: 1, result: 'synced' });
    expect(await readFile(file, 'utf8')).toContain('timeout: 5s');
    const { registry } = await loadRegistry([defs.dir]);
    expect([...registry.tasks.keys()].sort()).toEqual(['shop/task-a', 'shop/task-b']);
  });

  it('an ignored field keeps its live value when a Git change rewrites the whole file', async () => {
    await repo.commit({ 'defs/wf.yaml': workflowYaml('profile', 'get-user'), 'defs/tasks.yaml': taskYaml('get-user') });
    const c = make({ automated: { selfHeal: true } }, [{ kind: 'Workflow', jsonPointers: ['/spec/timeout'] }]);
    await c.request('poll');
    const file = join(defs.dir, 'shop', 'Workflow-profile.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('timeout: 10s', 'timeout: 99s'));
    await repo.commit({ 'defs/wf.yaml': workflowYaml('profile', 'get-user').replace('id: first', 'id: lookup') });
    expect(await c.request('poll')).toMatchObject({ applied: 1, result: 'synced' });
    const text = await readFile(file, 'utf8');
    expect(text).toContain('timeout: 99s');
    expect(text).toContain('id: lookup');
  });

  it('refuses to put a non-Weft kind into the engine, naming it', async () => {
    await repo.commit({ 'defs/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  a: "1"\n' });
    const record = await make().request('poll');
    expect(record.result).toBe('failed');
    expect(record.diagnostics[0].message).toContain('ConfigMap v1 cannot be applied');
  });
});

describe('definition cache kept by the controller', () => {
  it('holds what the target holds after each reconcile, served by the catalog API', async () => {
    await repo.commit({ 'defs/tasks.yaml': taskYaml('get-user') + '---\n' + taskYaml('unused-task'), 'defs/wf.yaml': workflowYaml('profile', 'get-user') });
    const catalog = await DefinitionCache.open({ path: join(cache.dir, 'catalog.db') });
    try {
      const c = new SyncController({ application: 'shop', source: new GitSource({ repoURL: repo.dir, targetRevision: 'main', path: 'defs' }, { cacheDir: cache.dir }), target: new DefinitionsDirectoryTarget(defs.dir), policy: { automated: { prune: true, selfHeal: true } }, clock: new ManualClock(), cache: catalog });
      const first = await c.request('poll');
      expect(await catalog.counts()).toMatchObject({ total: 3, unusedTasks: 1 });
      expect((await catalog.search({ search: 'profile' })).items[0]).toMatchObject({ kind: 'Workflow', sourceVersion: first.revision });
      await repo.commit({ 'defs/tasks.yaml': taskYaml('get-user') });
      await c.request('poll');
      const app = syncApp(c, { cache: catalog });
      expect(await (await app.request('/api/v1/catalog/tasks/unused')).json()).toEqual({ items: [] });
      expect(await (await app.request('/api/v1/catalog/tasks/shop/get-user/workflows')).json()).toEqual({ items: [{ namespace: 'shop', name: 'profile' }] });
    } finally {
      await catalog.close();
    }
  });
});

describe('controller HTTP API', () => {
  it('a signed webhook call starts a sync at once; a wrong signature is a 401 problem', async () => {
    await repo.commit({ 'defs/tasks.yaml': taskYaml('get-user') });
    const c = make();
    const app = syncApp(c, { webhookSecret: 'hook-secret' });
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const bad = await app.request('/api/v1/sync/webhook', { method: 'POST', body, headers: { 'x-hub-signature-256': 'sha256=00' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 'WF_SYNC_WEBHOOK_SIGNATURE', status: 401 });
    const signature = `sha256=${createHmac('sha256', 'hook-secret').update(body).digest('hex')}`;
    const ok = await app.request('/api/v1/sync/webhook', { method: 'POST', body, headers: { 'x-hub-signature-256': signature } });
    expect(ok.status).toBe(202);
    await c.whenIdle();
    expect(c.status().reconciles[0]).toMatchObject({ trigger: 'webhook', result: 'synced', applied: 1 });
  });

  it('serves the status with Kubernetes-style conditions and the metrics as Prometheus text', async () => {
    await repo.commit({ 'defs/tasks.yaml': taskYaml('get-user') });
    const c = make();
    const app = syncApp(c);
    const manual = await app.request('/api/v1/sync', { method: 'POST' });
    expect(manual.status).toBe(200);
    const status = (await (await app.request('/api/v1/sync/status')).json()) as SyncStatus;
    expect(status.conditions.map((x) => `${x.type}=${x.status}`)).toEqual(['Ready=True', 'Reconciling=False', 'Stalled=False']);
    expect(status.resources).toEqual([expect.objectContaining({ key: 'WorkflowTask/shop/get-user', state: 'Synced', action: 'applied', message: 'manual' })]);
    const metrics = await app.request('/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await metrics.text()).toContain('weft_sync_reconciles_total{application="shop",result="synced"} 1');
  });
});
