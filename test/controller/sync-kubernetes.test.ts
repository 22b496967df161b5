import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateCrds } from '../../controller/crd.js';
import { SyncController, type ControllerOptions } from '../../controller/controller.js';
import { ManualClock } from '../../controller/clock.js';
import { GitSource } from '../../controller/source/git.js';
import { KubernetesTarget, inventoryName } from '../../controller/targets/kubernetes.js';
import type { AlertPayload } from '../../controller/alerts/alerts.js';
import { startKubeApiServer, type KubeApiServer, type KubeObj } from '../support/kube-apiserver.js';
import { startServer, type TestServer } from '../support/http.js';
import { createRepo, taskYaml, tempDir, type TestRepo } from './repo.js';

let kube: KubeApiServer;
let repo: TestRepo;
let cache: { dir: string; cleanup: () => Promise<void> };
let receiver: TestServer;
let controller: SyncController | undefined;
const clock = () => new ManualClock();

beforeEach(async () => {
  kube = await startKubeApiServer({ crds: generateCrds() as KubeObj[] });
  repo = await createRepo();
  cache = await tempDir('weft-git-cache-');
  receiver = await startServer((_req, res) => res.end('ok'));
});
afterEach(async () => {
  await controller?.stop();
  controller = undefined;
  await kube.close();
  await receiver.close();
  await repo.cleanup();
  await cache.cleanup();
});

function make(options: Partial<ControllerOptions> & { path?: string; revision?: string } = {}): SyncController {
  const { path = 'workflows/production', revision = 'main', ...rest } = options;
  controller = new SyncController({
    application: 'shop',
    source: new GitSource({ repoURL: repo.dir, targetRevision: revision, path }, { cacheDir: cache.dir }),
    target: new KubernetesTarget({ kubeConfig: kube.kubeConfig(), controllerNamespace: 'weft-system' }),
    policy: { automated: { prune: true, selfHeal: true } },
    alerts: [{ type: 'webhook', name: 'test-hook', url: `${receiver.url}/alerts` }],
    clock: clock(),
    ...rest,
  });
  return controller;
}

const getTask = (name: string) => kube.get('workflow.io/v1', 'WorkflowTask', 'shop', name);
const alerts = () => receiver.calls.map((c) => JSON.parse(c.body) as AlertPayload);
const editByHand = (name: string, spec: Record<string, unknown>) => {
  const live = getTask(name)!;
  kube.update({ ...live, spec: { ...live.spec, ...spec } }, 'kubectl-edit');
};

describe('SyncController against Kubernetes (in-process API server, real Git)', () => {
  it('applies every object of the revision with server-side apply as weft-controller and records the inventory', async () => {
    const sha = await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user') + '---\n' + taskYaml('get-orders') });
    const record = await make().request('poll');
    expect(record).toMatchObject({ result: 'synced', revision: sha, applied: 2, pruned: 0, failed: 0 });
    const live = getTask('get-user')!;
    expect(live.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'weft' });
    expect(live.metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`)).toEqual(['weft-controller/Apply']);
    const inventory = kube.get('v1', 'ConfigMap', 'weft-system', inventoryName('shop'))!;
    expect(Object.keys(JSON.parse(inventory.data['inventory.json']))).toEqual(['WorkflowTask/shop/get-orders', 'WorkflowTask/shop/get-user']);
    expect(controller!.status().conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Synced' });
  });

  it('a second reconcile of an unchanged revision writes nothing', async () => {
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user') });
    const c = make();
    await c.request('poll');
    const before = getTask('get-user')!.metadata.resourceVersion;
    const writes = kube.requests.filter((r) => !r.startsWith('GET')).length;
    const second = await c.request('poll');
    expect(second).toMatchObject({ result: 'synced', applied: 0 });
    expect(getTask('get-user')!.metadata.resourceVersion).toBe(before);
    expect(kube.requests.filter((r) => !r.startsWith('GET')).length).toBe(writes);
  });

  it('self-heal reverts a manual edit on the next poll of the injected clock', async () => {
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user', { timeout: '5s' }) });
    const manual = new ManualClock();
    const c = make({ clock: manual, interval: 60_000, watch: false });
    await c.start();
    await c.whenIdle();
    editByHand('get-user', { timeout: '30s' });
    manual.advance(59_999);
    await c.whenIdle();
    expect(getTask('get-user')!.spec.timeout).toBe('30s');
    manual.advance(1);
    await c.whenIdle();
    expect(getTask('get-user')!.spec.timeout).toBe('5s');
    const status = c.status();
    expect(status.reconciles[0]).toMatchObject({ trigger: 'poll', applied: 1, result: 'synced' });
    expect(status.resources[0]).toMatchObject({ key: 'WorkflowTask/shop/get-user', state: 'Synced', action: 'applied', message: 'self-heal' });
    expect(alerts().map((a) => a.type)).toEqual(['DriftHealed']);
  });

  it('with self-heal off a manual edit is reported (status, webhook alert, Kubernetes Event) and left in place', async () => {
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user', { timeout: '5s' }) });
    const c = make({ policy: { automated: { prune: true, selfHeal: false } } });
    await c.request('poll');
    editByHand('get-user', { timeout: '30s' });
    const record = await c.request('poll');
    expect(record).toMatchObject({ result: 'drift', applied: 0, drift: 1 });
    expect(getTask('get-user')!.spec.timeout).toBe('30s');
    expect(c.status().conditions.find((x) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'DriftDetected' });
    const [alert] = alerts();
    expect(alert).toMatchObject({ kind: 'weft.sync.alert', version: 1, type: 'DriftDetected', application: 'shop', resources: [{ key: 'WorkflowTask/shop/get-user', state: 'OutOfSync', action: 'skipped', changes: [{ pointer: '/spec/timeout', desired: '5s', live: '30s' }] }] });
    const events = kube.list('v1', 'Event');
    expect(events.map((e) => [e.reason, e.type, e.involvedObject.kind, e.involvedObject.name, e.message])).toEqual([['DriftDetected', 'Warning', 'WorkflowTask', 'get-user', 'OutOfSync (skipped): /spec/timeout']]);
    await c.request('poll');
    expect(alerts()).toHaveLength(1);
  });

  it('a webhook call syncs a new commit at once, even with self-heal off', async () => {
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user', { timeout: '5s' }) });
    const c = make({ policy: { automated: { prune: true, selfHeal: false } } });
    await c.request('poll');
    const sha = await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user', { timeout: '2s' }) });
    const record = await c.webhook();
    expect(record).toMatchObject({ trigger: 'webhook', revision: sha, applied: 1 });
    expect(getTask('get-user')!.spec.timeout).toBe('2s');
  });

  it('prunes an owned object removed from Git but never one created by hand', async () => {
    await repo.commit({
      'workflows/production/a.yaml': taskYaml('task-a'),
      'workflows/production/b.yaml': taskYaml('task-b'),
      'workflows/production/c.yaml': taskYaml('task-c'),
    });
    const c = make();
    await c.request('poll');
    kube.update(JSON.parse(JSON.stringify({ apiVersion: 'workflow.io/v1', kind: 'WorkflowTask', metadata: { name: 'debug-task', namespace: 'shop' }, spec: { type: 'http', http: { url: 'http://x' } } })), 'kubectl-create');
    await repo.commit({ 'workflows/production/c.yaml': null });
    const record = await c.request('poll');
    expect(record).toMatchObject({ pruned: 1, result: 'synced' });
    expect(getTask('task-c')).toBeUndefined();
    expect(getTask('debug-task')).toBeDefined();
    expect(c.status().resources.find((r) => r.name === 'debug-task')).toMatchObject({ state: 'Extra', owned: false, action: 'skipped' });
  });

  it('refuses a sync that would prune more than half of the inventory and reports Stalled', async () => {
    await repo.commit({ 'workflows/production/a.yaml': taskYaml('task-a'), 'workflows/production/b.yaml': taskYaml('task-b'), 'workflows/production/c.yaml': taskYaml('task-c') });
    const c = make();
    await c.request('poll');
    await repo.commit({ 'workflows/production/b.yaml': null, 'workflows/production/c.yaml': null, 'workflows/production/d.yaml': taskYaml('task-d') });
    const record = await c.request('poll');
    expect(record.result).toBe('refused');
    expect(record.diagnostics[0].code).toBe('WF_SYNC_MASS_PRUNE');
    expect(getTask('task-b')).toBeDefined();
    expect(getTask('task-d')).toBeUndefined();
    expect(c.status().conditions.find((x) => x.type === 'Stalled')).toMatchObject({ status: 'True', reason: 'SyncRefused' });
    expect(alerts().map((a) => a.type)).toContain('SyncRefused');
  });

  it('refuses an empty source', async () => {
    await repo.commit({ 'workflows/production/a.yaml': taskYaml('task-a') });
    const c = make();
    await c.request('poll');
    await repo.commit({ 'workflows/production/a.yaml': null, 'workflows/production/README.md': 'nothing here' });
    const record = await c.request('poll');
    expect(record.diagnostics.map((d) => d.code)).toEqual(['WF_SYNC_EMPTY_SOURCE']);
    expect(getTask('task-a')).toBeDefined();
  });

  it('an ignored field edited by hand is neither reported nor reverted, even when a Git change is applied', async () => {
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user', { timeout: '5s' }) });
    const c = make({ ignore: [{ kind: 'WorkflowTask', jsonPointers: ['/spec/timeout'] }] });
    await c.request('poll');
    editByHand('get-user', { timeout: '45s' });
    const record = await c.request('poll');
    expect(record).toMatchObject({ result: 'synced', applied: 0 });
    expect(getTask('get-user')!.spec.timeout).toBe('45s');
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user', { timeout: '5s', url: 'http://demo-api/v2/users' }) });
    await c.request('poll');
    const live = getTask('get-user')!;
    expect(live.spec).toMatchObject({ timeout: '45s', http: { url: 'http://demo-api/v2/users' } });
    const editor = live.metadata.managedFields.find((m: { manager: string }) => m.manager === 'kubectl-edit');
    expect(editor.fieldsV1['f:spec']['f:timeout']).toEqual({});
  });

  it('without force, a field another manager changed is a reported apply conflict', async () => {
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user', { timeout: '5s' }) });
    const c = make({ policy: { automated: { selfHeal: true }, force: false } });
    await c.request('poll');
    editByHand('get-user', { timeout: '30s' });
    const record = await c.request('poll');
    expect(record.result).toBe('failed');
    expect(record.diagnostics[0]).toMatchObject({ code: 'WF_SYNC_APPLY_FAILED' });
    expect(record.diagnostics[0].message).toContain('conflict with "kubectl-edit": .spec.timeout');
    expect(alerts().map((a) => a.type)).toContain('SyncFailed');
  });

  it('a watch event (object deleted by hand) triggers a reconcile that recreates it', async () => {
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user') });
    let onWatch!: () => void;
    const healed = new Promise<void>((r) => (onWatch = r));
    const c = make({ log: (line) => line.trigger === 'watch' && line.applied === 1 && onWatch() });
    await c.start();
    await c.whenIdle();
    kube.remove('workflow.io/v1', 'WorkflowTask', 'shop', 'get-user');
    await healed;
    expect(getTask('get-user')).toBeDefined();
  });

  it('syncs a tag and a commit as well as a branch', async () => {
    const first = await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user', { timeout: '1s' }) });
    await repo.git.addTag('v1.0.0');
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user', { timeout: '2s' }) });
    await make({ revision: 'v1.0.0' }).request('poll');
    expect(getTask('get-user')!.spec.timeout).toBe('1s');
    await controller!.stop();
    const byCommit = await make({ revision: first }).request('poll');
    expect(byCommit.revision).toBe(first);
  });

  it('an unknown revision stalls with a clear diagnostic', async () => {
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user') });
    const record = await make({ revision: 'no-such-branch' }).request('poll');
    expect(record.result).toBe('failed');
    expect(record.diagnostics[0]).toMatchObject({ code: 'WF_SOURCE_REVISION' });
    expect(controller!.status().conditions.find((x) => x.type === 'Stalled')).toMatchObject({ status: 'True', reason: 'SyncFailed' });
  });

  it('an invalid definition in Git stops the sync with the file and line', async () => {
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user').replace('type: http', 'type: grpc') });
    const record = await make().request('poll');
    expect(record.result).toBe('failed');
    expect(record.diagnostics[0]).toMatchObject({ code: 'WF_SCHEMA_ENUM', file: 'workflows/production/tasks.yaml', line: 7, pointer: '/spec/type' });
    expect(getTask('get-user')).toBeUndefined();
  });

  it('renders a kustomize overlay with kubectl kustomize', async () => {
    await repo.commit({
      'workflows/base/kustomization.yaml': 'resources:\n  - tasks.yaml\n',
      'workflows/base/tasks.yaml': taskYaml('get-user', { timeout: '5s' }),
      'workflows/overlays/production/kustomization.yaml': 'resources:\n  - ../../base\nnamespace: shop-prod\ncommonLabels:\n  env: production\n',
    });
    const record = await make({ path: 'workflows/overlays/production' }).request('poll');
    expect(record).toMatchObject({ result: 'synced', applied: 1 });
    expect(kube.get('workflow.io/v1', 'WorkflowTask', 'shop-prod', 'get-user')!.metadata.labels).toEqual({ env: 'production', 'app.kubernetes.io/managed-by': 'weft' });
  });

  it('says clearly when kubectl is missing for a kustomize source', async () => {
    await repo.commit({ 'workflows/production/kustomization.yaml': 'resources: []\n' });
    const record = await make({ render: { kubectl: '/nonexistent/kubectl' } }).request('poll');
    expect(record.diagnostics[0]).toMatchObject({ code: 'WF_SOURCE_KUBECTL_MISSING', hint: expect.stringContaining('WEFT_KUBECTL') });
  });

  it('places objects without a namespace in the destination namespace and leaves other teams\' namespaces out of the report', async () => {
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user').replace('  namespace: shop\n', '') });
    const other = { apiVersion: 'workflow.io/v1', kind: 'WorkflowTask', metadata: { name: 'theirs', namespace: 'other-team' }, spec: { type: 'http', http: { url: 'http://x' } } };
    kube.update(other, 'kubectl-create');
    kube.update({ ...other, metadata: { name: 'by-hand', namespace: 'shop' } }, 'kubectl-create');
    const c = make({ namespace: 'shop' });
    await c.request('poll');
    expect(getTask('get-user')).toBeDefined();
    expect(c.status().resources.map((r) => `${r.key} ${r.state}`)).toEqual(['WorkflowTask/shop/by-hand Extra', 'WorkflowTask/shop/get-user Synced']);
  });

  it('reports the health the live object\'s status gives (Ready=False is Degraded)', async () => {
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user') });
    const c = make();
    await c.request('poll');
    kube.setStatus('workflow.io/v1', 'WorkflowTask', 'shop', 'get-user', { conditions: [{ type: 'Ready', status: 'False', reason: 'CompileFailed', message: 'url host not allowed' }] });
    const record = await c.request('poll');
    expect(record).toMatchObject({ result: 'synced', applied: 0 });
    expect(c.status().resources[0]).toMatchObject({ state: 'Synced', health: { status: 'Degraded', message: 'url host not allowed' } });
  });

  it('exposes Prometheus metrics for reconciles, resources and alerts', async () => {
    await repo.commit({ 'workflows/production/tasks.yaml': taskYaml('get-user') });
    const c = make();
    await c.request('poll');
    const text = c.metrics.render();
    expect(text).toContain('weft_sync_reconciles_total{application="shop",result="synced"} 1');
    expect(text).toContain('weft_sync_resources{application="shop",state="Synced"} 1');
    expect(text).toContain('weft_sync_applied_total{application="shop"} 1');
  });
});
