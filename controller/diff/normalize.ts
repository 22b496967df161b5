import { isPlainObject, type KubeObject } from '../model.js';

/** Metadata fields the API server sets; they never count as drift. */
const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
  'ownerReferences',
  'finalizers',
  'generateName',
];
/** Annotations written by tools and controllers, not by the author. */
const TOOL_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];

/** Fills in the defaults the API server would (from the CRD schema); returns a new object, never mutating its input. */
export type Defaulter = (object: KubeObject) => KubeObject;

/**
 * A copy of an object without server-set fields: status, managedFields, resourceVersion, uid,
 * generation, creationTimestamp and friends, tool annotations, empty label/annotation maps;
 * `metadata.namespace` defaults to `default`, and `defaults` fills schema defaults.
 * @example normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', uid: 'x' }, status: {} })
 * // { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' } }
 */
export function normalizeObject(object: KubeObject, defaults?: Defaulter): KubeObject {
  // Copies only what it changes (the top level and metadata); nested values are shared, never mutated.
  const { status: _status, metadata, ...rest } = object;
  const meta: KubeObject['metadata'] = { ...metadata };
  for (const f of SERVER_METADATA) delete meta[f];
  meta.namespace = meta.namespace || 'default';
  if (meta.annotations) {
    const kept = { ...meta.annotations };
    for (const a of TOOL_ANNOTATIONS) delete kept[a];
    if (Object.keys(kept).length) meta.annotations = kept;
    else delete meta.annotations;
  }
  if (meta.labels && !Object.keys(meta.labels).length) delete meta.labels;
  const out = { ...rest, metadata: meta } as KubeObject;
  return defaults ? defaults(out) : out;
}

/**
 * The live object seen through the desired one: labels and annotations the desired object does
 * not mention are dropped (other tools add their own), every other field is kept, so a field
 * added by hand inside `spec` or `data` shows as drift.
 */
export function liveComparable(desired: KubeObject, live: KubeObject): KubeObject {
  const meta: KubeObject['metadata'] = { ...live.metadata };
  for (const field of ['labels', 'annotations'] as const) {
    const want = desired.metadata[field] ?? {};
    const have = meta[field];
    if (!isPlainObject(have)) continue;
    const kept: Record<string, string> = {};
    for (const k of Object.keys(have)) if (k in want) kept[k] = have[k] as string;
    if (Object.keys(kept).length) meta[field] = kept;
    else delete meta[field];
  }
  return { ...live, metadata: meta };
}
