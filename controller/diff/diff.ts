import { toPointer } from '../../engine/load/yaml.js';
import { canonicalJson } from '../../engine/model/canonical.js';
import { contentHash, isPlainObject, MANAGED_BY_LABEL, MANAGED_BY_VALUE, objectKey, PRUNE_ANNOTATION, SYNC_ANNOTATION, type IgnoreRule, type Inventory, type KubeObject } from '../model.js';
import { getPointer, ignoredPointers, withoutPointers } from './ignore.js';
import { liveComparable, normalizeObject, type Defaulter } from './normalize.js';

export type DriftState = 'Synced' | 'OutOfSync' | 'Missing' | 'Extra';

/** One field that differs; `desired` or `live` is absent when the field is missing on that side. */
export interface FieldChange {
  pointer: string;
  desired?: unknown;
  live?: unknown;
}

/** The state of one object. */
export interface ResourceDrift {
  key: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  state: DriftState;
  /** OutOfSync only: the fields that differ, ignored fields excluded. */
  changes?: FieldChange[];
  /** Fields that differ but match an ignore rule. */
  ignored?: string[];
  /** Weft owns the live object: it carries the managed-by label and is in the inventory. */
  owned?: boolean;
  /** `weft.io/sync: disabled` on the desired or live object. */
  syncDisabled?: boolean;
  /** `weft.io/prune: disabled` on the live object. */
  pruneDisabled?: boolean;
}

/** Desired against live, per object, in key order. */
export interface DriftReport {
  resources: ResourceDrift[];
  counts: Record<DriftState, number>;
  /** No object is OutOfSync, Missing or Extra-and-owned. */
  inSync: boolean;
}

export interface DiffOptions {
  ignore?: readonly IgnoreRule[];
  inventory?: Inventory;
  /** Schema defaults, applied to desired and live alike. */
  defaults?: Defaulter;
}

/** The report plus the normalised objects it was computed from, for the sync planner. */
export interface DriftComparison {
  report: DriftReport;
  desired: Map<string, KubeObject>;
  live: Map<string, KubeObject>;
  /** Content hash of each normalised desired object (what the inventory records once applied). */
  desiredHash: Map<string, string>;
}

/**
 * Compares desired objects (from Git) with live objects (from a target) after normalisation.
 * @example diffResources([desired], [live], { ignore: [{ kind: 'Workflow', jsonPointers: ['/spec/timeout'] }] }).report
 */
export function diffResources(desired: readonly KubeObject[] | PreparedDesired, live: readonly KubeObject[], options: DiffOptions = {}): DriftComparison {
  const ignore = options.ignore ?? [];
  const inventory = options.inventory ?? new Map();
  const { desired: desiredMap, desiredHash } = Array.isArray(desired) ? prepareDesired(desired, options.defaults) : (desired as PreparedDesired);
  const liveMap = new Map<string, KubeObject>();
  for (const l of live) {
    const n = normalizeObject(l, options.defaults);
    liveMap.set(objectKey(n), n);
  }
  const resources: ResourceDrift[] = [];
  for (const [key, d] of desiredMap) {
    const l = liveMap.get(key);
    const base = header(key, d);
    if (disabled(d, SYNC_ANNOTATION) || (l && disabled(l, SYNC_ANNOTATION))) base.syncDisabled = true;
    if (!l) {
      resources.push({ ...base, state: 'Missing' });
      continue;
    }
    if (isOwned(l, inventory)) base.owned = true;
    const pointers = ignoredPointers(ignore, d);
    const comparable = liveComparable(d, l);
    const changes: FieldChange[] = [];
    const left = withoutPointers(d, pointers);
    const right = withoutPointers(comparable, pointers);
    if (!deepEqual(left, right)) compare(left, right, [], changes);
    const ignored = pointers.filter((p) => canonicalJson(getPointer(d, p) ?? null) !== canonicalJson(getPointer(comparable, p) ?? null));
    resources.push({ ...base, state: changes.length ? 'OutOfSync' : 'Synced', ...(changes.length ? { changes } : {}), ...(ignored.length ? { ignored } : {}) });
  }
  for (const [key, l] of liveMap) {
    if (desiredMap.has(key)) continue;
    const base = header(key, l);
    base.owned = isOwned(l, inventory);
    if (disabled(l, PRUNE_ANNOTATION)) base.pruneDisabled = true;
    if (disabled(l, SYNC_ANNOTATION)) base.syncDisabled = true;
    resources.push({ ...base, state: 'Extra' });
  }
  resources.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const counts: Record<DriftState, number> = { Synced: 0, OutOfSync: 0, Missing: 0, Extra: 0 };
  for (const r of resources) counts[r.state]++;
  const inSync = resources.every((r) => r.state === 'Synced' || (r.state === 'Extra' && !r.owned));
  return { report: { resources, counts, inSync }, desired: desiredMap, live: liveMap, desiredHash };
}

/** Desired objects normalised and hashed, once per source revision. */
export interface PreparedDesired {
  desired: Map<string, KubeObject>;
  desiredHash: Map<string, string>;
}

/** Normalises and hashes desired objects (see `diffResources`); reusable while the source is unchanged. */
export function prepareDesired(desired: readonly KubeObject[], defaults?: Defaulter): PreparedDesired {
  const out: PreparedDesired = { desired: new Map(), desiredHash: new Map() };
  for (const d of desired) {
    const n = normalizeObject(d, defaults);
    const key = objectKey(n);
    out.desired.set(key, n);
    out.desiredHash.set(key, contentHash(n));
  }
  return out;
}

/** True when the live object carries the managed-by label and the inventory lists it. */
export function isOwned(live: KubeObject, inventory: Inventory): boolean {
  return live.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && inventory.has(objectKey(live));
}

function disabled(o: KubeObject, annotation: string): boolean {
  return o.metadata.annotations?.[annotation] === 'disabled';
}

function header(key: string, o: KubeObject): Omit<ResourceDrift, 'state'> {
  return { key, apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace || 'default', name: o.metadata.name };
}

/** Structural equality of JSON values (object key order ignored). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let count = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    count++;
    if (!deepEqual(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) count--;
  return count === 0;
}

/** Leaf differences between two JSON values; arrays of different length differ as a whole. */
function compare(desired: unknown, live: unknown, path: Array<string | number>, out: FieldChange[]): void {
  if (isPlainObject(desired) && isPlainObject(live)) {
    const keys = new Set([...Object.keys(desired), ...Object.keys(live)]);
    for (const k of [...keys].sort()) {
      if (desired[k] === undefined && live[k] === undefined) continue;
      compare(desired[k], live[k], [...path, k], out);
    }
    return;
  }
  if (Array.isArray(desired) && Array.isArray(live) && desired.length === live.length) {
    desired.forEach((v, i) => compare(v, live[i], [...path, i], out));
    return;
  }
  if (desired === live) return;
  if (desired !== undefined && live !== undefined && canonicalJson(desired) === canonicalJson(live)) return;
  const change: FieldChange = { pointer: toPointer(path) };
  if (desired !== undefined) change.desired = desired;
  if (live !== undefined) change.live = live;
  out.push(change);
}
