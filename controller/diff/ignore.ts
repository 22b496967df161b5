import { pointerSegments } from '../../engine/load/yaml.js';
import { cloneJson, isPlainObject, type IgnoreRule, type KubeObject } from '../model.js';

/** True when a rule applies to the object (every field the rule names must match). */
export function ruleMatches(rule: IgnoreRule, object: KubeObject): boolean {
  if (rule.kind && rule.kind !== object.kind) return false;
  if (rule.name && rule.name !== object.metadata.name) return false;
  if (rule.namespace && rule.namespace !== (object.metadata.namespace || 'default')) return false;
  if (rule.group !== undefined) {
    const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
    if (rule.group !== group) return false;
  }
  return true;
}

/** The ignored JSON pointers for an object, from every matching rule. */
export function ignoredPointers(rules: readonly IgnoreRule[], object: KubeObject): string[] {
  const out: string[] = [];
  for (const r of rules) if (ruleMatches(r, object)) out.push(...r.jsonPointers);
  return [...new Set(out)];
}

/** Reads the value at a JSON pointer; `undefined` when absent. */
export function getPointer(value: unknown, pointer: string): unknown {
  let cur = value;
  for (const seg of pointerSegments(pointer)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isPlainObject(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/** Sets (or with `undefined`, removes) the value at a JSON pointer, creating parent objects. */
export function setPointer(target: unknown, pointer: string, value: unknown): void {
  const segs = pointerSegments(pointer);
  if (!segs.length) return;
  let cur: any = target;
  for (let i = 0; i < segs.length - 1; i++) {
    const seg = segs[i];
    const next = Array.isArray(cur) ? cur[Number(seg)] : cur?.[seg];
    if (next === undefined || next === null || typeof next !== 'object') {
      if (value === undefined) return;
      cur[seg] = {};
    }
    cur = Array.isArray(cur) ? cur[Number(seg)] : cur[seg];
  }
  const last = segs[segs.length - 1];
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else if (isPlainObject(cur)) delete cur[last];
  } else if (Array.isArray(cur)) cur[Number(last)] = value;
  else cur[last] = value;
}

/** A copy of the object with the given pointers removed. */
export function withoutPointers<T>(object: T, pointers: readonly string[]): T {
  if (!pointers.length) return object;
  const out = cloneJson(object);
  // Remove deepest first so array indexes of earlier pointers stay valid.
  for (const p of [...pointers].sort((a, b) => b.localeCompare(a))) setPointer(out, p, undefined);
  return out;
}

/**
 * The payload written for a desired object: each ignored field carries its live value (or is left
 * out when the live object has none), so neither a server-side apply nor a replacing write
 * changes it. A new object (no live one) is written as desired.
 * @example applyPayload(desired, live, [{ kind: 'Workflow', jsonPointers: ['/spec/timeout'] }])
 */
export function applyPayload(desired: KubeObject, live: KubeObject | undefined, rules: readonly IgnoreRule[]): KubeObject {
  if (!live) return desired;
  const pointers = ignoredPointers(rules, desired);
  if (!pointers.length) return desired;
  const out = cloneJson(desired);
  for (const p of pointers) setPointer(out, p, cloneJson(getPointer(live, p)));
  return out;
}
