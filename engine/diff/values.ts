import { isDeepStrictEqual } from 'node:util';
import type { FieldChange } from './types.js';

/**
 * Field-by-field differences of two JSON values. Objects are compared key by key; lists of
 * steps (objects with a string `id`) are matched by id (`tasks[load].input.x`); any other list
 * that differs is reported once, whole.
 * @example diffValues({ retry: { maxAttempts: 3 } }, { retry: { maxAttempts: 5 } })
 * // [{ path: 'retry.maxAttempts', change: 'changed', before: 3, after: 5 }]
 */
export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  const out: FieldChange[] = [];
  walk(before, after, path, out);
  return out;
}

function walk(b: unknown, a: unknown, path: string, out: FieldChange[]): void {
  if (b === undefined && a === undefined) return;
  if (b === undefined) {
    out.push({ path, change: 'added', after: a });
    return;
  }
  if (a === undefined) {
    out.push({ path, change: 'removed', before: b });
    return;
  }
  if (isObject(b) && isObject(a)) {
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    for (const k of keys) walk(b[k], a[k], join(path, k), out);
    return;
  }
  if (Array.isArray(b) && Array.isArray(a) && isStepList(b) && isStepList(a) && b.length + a.length > 0) {
    const byId = (l: Array<Record<string, unknown>>) => new Map(l.map((s) => [s.id as string, s]));
    const mb = byId(b);
    const ma = byId(a);
    for (const id of [...new Set([...mb.keys(), ...ma.keys()])]) walk(mb.get(id), ma.get(id), `${path}[${id}]`, out);
    return;
  }
  if (!isDeepStrictEqual(b, a)) out.push({ path, change: 'changed', before: b, after: a });
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStepList(l: unknown[]): l is Array<Record<string, unknown>> {
  return l.every((s) => isObject(s) && typeof s.id === 'string');
}
