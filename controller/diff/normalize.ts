import { cloneJson, isPlainObject, type KubeObject } from '../model.js';

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

/** Fills in the defaults the API server would (from the CRD schema); returns the object it was given. */
export type Defaulter = (object: KubeObject) => KubeObject;

/**
 * A copy of an object without server-set fields: status, managedFields, resourceVersion, uid,
 * generation, creationTimestamp and friends, tool annotations, empty label/annotation maps;
 * `metadata.namespace` defaults to `default`, and `defaults` fills schema defaults.
 * @example normalizeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', uid: 'x' }, status: {} })
 * // { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' } }
 */
export function normalizeObject(object: KubeObject, defaults?: Defaulter): KubeObject {
  const out = cloneJson(object);
  delete out.status;
  const meta = out.metadata;
  for (const f of SERVER_METADATA) delete meta[f];
  meta.namespace = meta.namespace || 'default';
  if (meta.annotations) {
    for (const a of TOOL_ANNOTATIONS) delete meta.annotations[a];
    if (!Object.keys(meta.annotations).length) delete meta.annotations;
  }
  if (meta.labels && !Object.keys(meta.labels).length) delete meta.labels;
  return defaults ? defaults(out) : out;
}

/**
 * The live object seen through the desired one: labels and annotations the desired object does
 * not mention are dropped (other tools add their own), every other field is kept, so a field
 * added by hand inside `spec` or `data` shows as drift.
 */
export function liveComparable(desired: KubeObject, live: KubeObject): KubeObject {
  const out = cloneJson(live);
  for (const field of ['labels', 'annotations'] as const) {
    const want = desired.metadata[field] ?? {};
    const have = out.metadata[field];
    if (!isPlainObject(have)) continue;
    const kept: Record<string, string> = {};
    for (const k of Object.keys(have)) if (k in want) kept[k] = have[k] as string;
    if (Object.keys(kept).length) out.metadata[field] = kept;
    else delete out.metadata[field];
  }
  return out;
}
