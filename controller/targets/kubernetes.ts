import { CustomObjectsApi, KubernetesObjectApi, PatchStrategy, Watch, type KubeConfig } from '@kubernetes/client-node';
import { FIELD_MANAGER, MANAGED_BY_LABEL, MANAGED_BY_VALUE, objectKey, type Inventory, type KubeObject } from '../model.js';
import { mapLimit, type ObjectType, type SyncTarget, type TargetEvent, type WriteResult } from './target.js';

const INVENTORY_LABEL = 'weft.io/inventory';
const PAGE = 500;
/** Pause before re-opening a watch that ended. */
const WATCH_RETRY_MS = 5000;

export interface KubernetesTargetOptions {
  kubeConfig: KubeConfig;
  /** Namespace of the inventory ConfigMap and of events about the application (default `default`). */
  controllerNamespace?: string;
  /** Writes in flight at once (default 16). */
  concurrency?: number;
}

/**
 * A Kubernetes cluster through `@kubernetes/client-node`: server-side apply with field manager
 * `weft-controller`, paginated lists, watches for self-heal, the inventory in a ConfigMap
 * `weft-inventory-<application>` and core/v1 Events.
 * @example new KubernetesTarget({ kubeConfig: kc, controllerNamespace: 'weft-system' })
 */
export class KubernetesTarget implements SyncTarget {
  readonly writeMode = 'server-side-apply' as const;
  readonly description: string;
  private readonly objects: DiscoveringObjectApi;
  private readonly custom: CustomObjectsApi;
  private readonly namespace: string;
  private readonly concurrency: number;
  private readonly plurals = new Map<string, { plural: string; namespaced: boolean }>();

  constructor(private readonly options: KubernetesTargetOptions) {
    this.objects = DiscoveringObjectApi.make(options.kubeConfig);
    this.custom = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.namespace = options.controllerNamespace ?? 'default';
    this.concurrency = options.concurrency ?? 16;
    this.description = `kubernetes ${options.kubeConfig.getCurrentCluster()?.server ?? '(no cluster)'}`;
  }

  async list(types: readonly ObjectType[], namespace?: string): Promise<KubeObject[]> {
    const out: KubeObject[] = [];
    for (const t of types) {
      const items = t.apiVersion.includes('/') ? await this.listCustom(t, namespace) : await this.listCore(t, namespace);
      for (const item of items) {
        if (item.metadata.labels?.[INVENTORY_LABEL]) continue;
        // managedFields are the bulk of a listed object and never compared: dropped as pages arrive.
        delete item.metadata.managedFields;
        out.push({ ...item, apiVersion: item.apiVersion ?? t.apiVersion, kind: item.kind ?? t.kind });
      }
    }
    return out;
  }

  private async listCustom(t: ObjectType, namespace?: string): Promise<KubeObject[]> {
    const [group, version] = t.apiVersion.split('/');
    const resource = await this.resource(t);
    const items: KubeObject[] = [];
    let cont: string | undefined;
    for (let page = 0; page < 100_000; page++) {
      const res = namespace && resource.namespaced
        ? await this.custom.listNamespacedCustomObject({ group, version, namespace, plural: resource.plural, limit: PAGE, _continue: cont })
        : await this.custom.listClusterCustomObject({ group, version, plural: resource.plural, limit: PAGE, _continue: cont });
      for (const item of res.items as KubeObject[]) {
        delete item.metadata.managedFields;
        items.push(item);
      }
      cont = res.metadata?.continue;
      if (!cont) break;
    }
    return items;
  }

  private async listCore(t: ObjectType, namespace?: string): Promise<KubeObject[]> {
    const res = await this.objects.list(t.apiVersion, t.kind, namespace);
    return res.items.map((i) => JSON.parse(JSON.stringify(i)) as KubeObject);
  }

  private async resource(t: ObjectType): Promise<{ plural: string; namespaced: boolean }> {
    const id = `${t.apiVersion}/${t.kind}`;
    const cached = this.plurals.get(id);
    if (cached) return cached;
    const r = await this.objects.discover(t.apiVersion, t.kind);
    if (!r) throw new Error(`The cluster does not serve ${t.kind} in ${t.apiVersion}; install the CRDs (kustomize/base) first`);
    const found = { plural: r.name, namespaced: r.namespaced };
    this.plurals.set(id, found);
    return found;
  }

  apply(objects: readonly KubeObject[], options: { force: boolean }): Promise<WriteResult[]> {
    return mapLimit(objects, this.concurrency, async (o) => {
      try {
        await this.objects.patch(o, undefined, undefined, FIELD_MANAGER, options.force, PatchStrategy.ServerSideApply);
        return { key: objectKey(o), ok: true };
      } catch (err) {
        return { key: objectKey(o), ok: false, error: apiError(err) };
      }
    });
  }

  delete(objects: readonly KubeObject[]): Promise<WriteResult[]> {
    return mapLimit(objects, this.concurrency, async (o) => {
      try {
        await this.objects.delete({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, namespace: o.metadata.namespace } });
        return { key: objectKey(o), ok: true };
      } catch (err) {
        if ((err as { code?: number }).code === 404) return { key: objectKey(o), ok: true };
        return { key: objectKey(o), ok: false, error: apiError(err) };
      }
    });
  }

  async readInventory(application: string): Promise<Inventory> {
    try {
      const cm = (await this.objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: inventoryName(application), namespace: this.namespace } })) as KubeObject & { data?: Record<string, string> };
      return new Map(Object.entries(JSON.parse(cm.data?.['inventory.json'] ?? '{}') as Record<string, string>));
    } catch (err) {
      if ((err as { code?: number }).code === 404) return new Map();
      throw new Error(`Cannot read the inventory ConfigMap ${this.namespace}/${inventoryName(application)}: ${apiError(err)}`);
    }
  }

  async writeInventory(application: string, inventory: Inventory): Promise<void> {
    const sorted = Object.fromEntries([...inventory].sort(([a], [b]) => (a < b ? -1 : 1)));
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: inventoryName(application), namespace: this.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [INVENTORY_LABEL]: 'true' } },
      data: { 'inventory.json': JSON.stringify(sorted) },
    };
    await this.objects.patch(cm, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  async watch(types: readonly ObjectType[], onChange: () => void): Promise<() => void> {
    const watcher = new Watch(this.options.kubeConfig);
    const aborts: AbortController[] = [];
    const timers: NodeJS.Timeout[] = [];
    let stopped = false;
    const start = async (t: ObjectType): Promise<void> => {
      const path = await this.collectionPath(t);
      // Start from the current resourceVersion: only changes from now on are reported.
      const current = await this.objects.list(t.apiVersion, t.kind, undefined, undefined, undefined, undefined, undefined, undefined, 1);
      const controller = await watcher.watch(path, { resourceVersion: current.metadata?.resourceVersion }, () => onChange(), () => {
        // The stream ended (server timeout, network): reconcile once, then watch again after a pause.
        if (stopped) return;
        onChange();
        retry(t);
      });
      aborts.push(controller);
    };
    const retry = (t: ObjectType) => {
      const timer = setTimeout(() => {
        if (!stopped) start(t).catch(() => retry(t));
      }, WATCH_RETRY_MS);
      timer.unref?.();
      timers.push(timer);
    };
    for (const t of types) await start(t);
    return () => {
      stopped = true;
      for (const a of aborts) a.abort();
      for (const t of timers) clearTimeout(t);
    };
  }

  private async collectionPath(t: ObjectType): Promise<string> {
    const r = await this.resource(t);
    return `${t.apiVersion.includes('/') ? '/apis' : '/api'}/${t.apiVersion}/${r.plural}`;
  }

  async recordEvent(application: string, event: TargetEvent): Promise<void> {
    const about = event.object ?? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: inventoryName(application), namespace: this.namespace } };
    const ns = about.metadata.namespace || this.namespace;
    const at = new Date().toISOString();
    await this.objects.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${about.metadata.name}.${Date.now().toString(16)}${Math.random().toString(16).slice(2, 8)}`, namespace: ns },
      involvedObject: { apiVersion: about.apiVersion, kind: about.kind, name: about.metadata.name, namespace: ns },
      reason: event.reason,
      message: event.message,
      type: event.type,
      source: { component: FIELD_MANAGER },
      reportingComponent: FIELD_MANAGER,
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
    } as KubeObject);
  }
}

/** The generic object client, with its API discovery (cached per apiVersion) made callable. */
class DiscoveringObjectApi extends KubernetesObjectApi {
  static make(kc: KubeConfig): DiscoveringObjectApi {
    const client = kc.makeApiClient(DiscoveringObjectApi);
    client.setDefaultNamespace(kc);
    return client;
  }

  discover(apiVersion: string, kind: string): ReturnType<KubernetesObjectApi['resource']> {
    return this.resource(apiVersion, kind);
  }
}

/** Name of the ConfigMap holding an application's inventory. */
export function inventoryName(application: string): string {
  return `weft-inventory-${application}`;
}

/** The API server's message for a failed request (its Status message), never headers or tokens. */
function apiError(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string };
  let message = e.message ?? String(err);
  if (typeof e.body === 'string') {
    try {
      message = (JSON.parse(e.body) as { message?: string }).message ?? message;
    } catch {
      // body is not JSON; keep the message
    }
  } else if (e.body && typeof e.body === 'object' && 'message' in e.body) message = String((e.body as { message: unknown }).message);
  return e.code ? `${e.code}: ${message}` : message;
}
