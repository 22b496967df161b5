import { createHash } from 'node:crypto';
import { canonicalJson } from '../engine/model/canonical.js';

/** A Kubernetes-shaped object as the controller sees it: desired (from Git) or live (from a target). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** Label every object Weft applies carries; ownership also needs an inventory entry. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'weft';
/** Per-resource opt-outs: `weft.io/sync: disabled` (never applied), `weft.io/prune: disabled` (never pruned). */
export const SYNC_ANNOTATION = 'weft.io/sync';
export const PRUNE_ANNOTATION = 'weft.io/prune';
/** Server-side apply field manager of the controller. */
export const FIELD_MANAGER = 'weft-controller';

/**
 * `Kind/namespace/name`, the identity of an object in reports and the inventory.
 * @example objectKey({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }) // 'ConfigMap/default/a'
 */
export function objectKey(o: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return `${o.kind}/${o.metadata.namespace || 'default'}/${o.metadata.name}`;
}

/** Splits an object key back into kind, namespace and name. */
export function parseObjectKey(key: string): { kind: string; namespace: string; name: string } {
  const [kind, namespace, ...rest] = key.split('/');
  return { kind, namespace, name: rest.join('/') };
}

/** SHA-256 of the canonical JSON of a value (sorted keys). */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** A structured clone of JSON data. */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The ignore rule shape of Argo CD's `ignoreDifferences`: JSON pointers for matching objects. */
export interface IgnoreRule {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  jsonPointers: string[];
}

/** `automated: {prune, selfHeal, allowEmpty}` as in Argo CD's Application. */
export interface SyncPolicy {
  automated?: { prune?: boolean; selfHeal?: boolean; allowEmpty?: boolean };
  /** Server-side apply with force (take over fields others changed by hand). Default true. */
  force?: boolean;
}

/** What Weft applied: object key -> content hash of the desired object it applied. */
export type Inventory = Map<string, string>;
