import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CustomObjectsApi, KubernetesObjectApi, PatchStrategy, Watch, ApiException } from '@kubernetes/client-node';
import { generateCrds } from '../../controller/crd.js';
import { startKubeApiServer, type KubeApiServer, type KubeObj } from '../support/kube-apiserver.js';

let server: KubeApiServer;
let api: KubernetesObjectApi;

beforeEach(async () => {
  server = await startKubeApiServer({ crds: generateCrds() as KubeObj[] });
  api = KubernetesObjectApi.makeApiClient(server.kubeConfig());
});
afterEach(() => server.close());

const task = (timeout = '5s'): KubeObj => ({
  apiVersion: 'workflow.io/v1',
  kind: 'WorkflowTask',
  metadata: { name: 'get-user', namespace: 'shop' },
  spec: { type: 'http', timeout, http: { url: 'http://demo-api/users/1' } },
});

async function apply(obj: KubeObj, manager = 'weft-controller', force = false): Promise<KubeObj> {
  return (await api.patch(obj, undefined, undefined, manager, force, PatchStrategy.ServerSideApply)) as KubeObj;
}

async function statusOf(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (err) {
    const e = err as ApiException<string>;
    return { code: e.code, body: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
  }
  throw new Error('expected the request to fail');
}

describe('in-process kube-apiserver (through @kubernetes/client-node)', () => {
  it('server-side apply creates the object, records the manager and fills CRD defaults', async () => {
    const created = await apply(task());
    expect(created.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(created.spec.http.method).toBe('GET');
    expect(created.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'weft-controller', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:http': { 'f:url': {} }, 'f:timeout': {}, 'f:type': {} } } }),
    ]);
  });

  it('re-applying the same object is a no-op that keeps the resourceVersion', async () => {
    const first = await apply(task());
    const second = await apply(task());
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  it('apply conflicts (409) on a field another manager changed, unless forced', async () => {
    await apply(task());
    const live = server.get('workflow.io/v1', 'WorkflowTask', 'shop', 'get-user')!;
    server.update({ ...live, spec: { ...live.spec, timeout: '30s' } }, 'kubectl-edit');
    const conflict = await statusOf(apply(task()));
    expect(conflict.code).toBe(409);
    expect(conflict.body.reason).toBe('Conflict');
    expect(conflict.body.details.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit"', field: '.spec.timeout' }]);
    const forced = await apply(task(), 'weft-controller', true);
    expect(forced.spec.timeout).toBe('5s');
    expect(forced.metadata.managedFields.map((m: any) => m.manager)).toEqual(['weft-controller']);
  });

  it('a field the manager stops applying is removed when nobody else owns it', async () => {
    await apply(task());
    const { timeout: _t, ...spec } = task().spec;
    const updated = await apply({ ...task(), spec });
    expect(updated.spec.timeout).toBeUndefined();
  });

  it('replace with a stale resourceVersion is a 409 Conflict', async () => {
    const created = await apply(task());
    await apply(task('6s'));
    const stale = await statusOf(api.replace({ ...created, spec: { ...created.spec, timeout: '7s' } }));
    expect(stale.code).toBe(409);
    expect(stale.body.message).toContain('the object has been modified');
  });

  it('create of an existing name is 409 AlreadyExists; an invalid spec is 422', async () => {
    await api.create(task());
    expect((await statusOf(api.create(task()))).body.reason).toBe('AlreadyExists');
    const invalid = await statusOf(api.create({ ...task(), metadata: { name: 'bad', namespace: 'shop' }, spec: { type: 'grpc' } }));
    expect(invalid.code).toBe(422);
    expect(invalid.body.message).toContain('/spec/type');
  });

  it('the status subresource changes status only, and an update of the object keeps it', async () => {
    await apply(task());
    const before = server.get('workflow.io/v1', 'WorkflowTask', 'shop', 'get-user')!;
    server.setStatus('workflow.io/v1', 'WorkflowTask', 'shop', 'get-user', { phase: 'Ready' });
    const after = server.get('workflow.io/v1', 'WorkflowTask', 'shop', 'get-user')!;
    expect(after.status).toEqual({ phase: 'Ready' });
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    const updated = await apply({ ...task('8s'), status: { phase: 'Broken' } } as KubeObj);
    expect(updated.status).toEqual({ phase: 'Ready' });
  });

  it('lists with a label selector and pages with limit/continue', async () => {
    for (const n of ['a', 'b', 'c']) await apply({ ...task(), metadata: { name: n, namespace: 'shop', labels: { tier: n === 'b' ? 'gold' : 'std' } } });
    const gold = await api.list('workflow.io/v1', 'WorkflowTask', 'shop', undefined, undefined, undefined, undefined, 'tier=gold');
    expect(gold.items.map((i) => i.metadata!.name)).toEqual(['b']);
    const custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
    const page = (cont?: string) => custom.listNamespacedCustomObject({ group: 'workflow.io', version: 'v1', namespace: 'shop', plural: 'workflowtasks', limit: 2, _continue: cont });
    const page1 = await page();
    expect(page1.items.map((i: KubeObj) => i.metadata.name)).toEqual(['a', 'b']);
    const page2 = await page(page1.metadata.continue);
    expect(page2.items.map((i: KubeObj) => i.metadata.name)).toEqual(['c']);
  });

  it('watch streams ADDED, MODIFIED and DELETED events from a resourceVersion', async () => {
    const start = await api.list('workflow.io/v1', 'WorkflowTask', 'shop');
    const seen: string[] = [];
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const controller = await new Watch(server.kubeConfig()).watch(
      '/apis/workflow.io/v1/namespaces/shop/workflowtasks',
      { resourceVersion: start.metadata!.resourceVersion },
      (type, obj) => {
        seen.push(`${type} ${obj.metadata.name} ${obj.spec?.timeout}`);
        if (seen.length === 3) resolve();
      },
      () => undefined,
    );
    await apply(task());
    await apply(task('9s'));
    server.remove('workflow.io/v1', 'WorkflowTask', 'shop', 'get-user');
    await done;
    controller.abort();
    expect(seen).toEqual(['ADDED get-user 5s', 'MODIFIED get-user 9s', 'DELETED get-user 9s']);
  });
});
