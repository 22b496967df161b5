import type { Inventory, KubeObject } from '../model.js';

/** A kind of object a target lists. */
export interface ObjectType {
  apiVersion: string;
  kind: string;
}

/** What became of one write. */
export interface WriteResult {
  key: string;
  ok: boolean;
  /** Why the write failed; no credentials. */
  error?: string;
}

/** A Kubernetes-style event about an object, recorded where the target keeps events. */
export interface TargetEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** The object the event is about; the application's inventory when absent. */
  object?: KubeObject;
}

/**
 * Where desired state is applied: a Kubernetes cluster or a Weft engine. `writeMode` says how a
 * write lands: `server-side-apply` merges by field ownership, `replace` writes whole objects.
 * Either way ignored fields are written with their live value (see `applyPayload`).
 */
export interface SyncTarget {
  readonly description: string;
  readonly writeMode: 'server-side-apply' | 'replace';
  /** Live objects of the given types (in `namespace` when set, else everywhere); `metadata.managedFields` may be left out. */
  list(types: readonly ObjectType[], namespace?: string): Promise<KubeObject[]>;
  apply(objects: readonly KubeObject[], options: { force: boolean }): Promise<WriteResult[]>;
  delete(objects: readonly KubeObject[]): Promise<WriteResult[]>;
  readInventory(application: string): Promise<Inventory>;
  writeInventory(application: string, inventory: Inventory): Promise<void>;
  /** Calls `onChange` when a live object of these types changes; returns a stop function. */
  watch?(types: readonly ObjectType[], onChange: () => void): Promise<() => void>;
  recordEvent?(application: string, event: TargetEvent): Promise<void>;
}

/** The engine target of the brief: a SyncTarget over a running Weft engine's definitions. */
export type EngineTarget = SyncTarget;

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}
