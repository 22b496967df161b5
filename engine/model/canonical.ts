import { createHash } from 'node:crypto';
import type { Resource } from './types.js';

/**
 * JSON with object keys sorted at every depth; `undefined` members dropped.
 * @example canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }) // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const keys = Object.keys(value as object).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** The parts of a resource that define its behaviour: no status, no server or tooling metadata. */
export function canonicalResource(r: Pick<Resource, 'apiVersion' | 'kind' | 'metadata' | 'spec'>): Record<string, unknown> {
  const meta: Record<string, unknown> = { name: r.metadata.name, namespace: r.metadata.namespace ?? 'default' };
  if (r.metadata.labels && Object.keys(r.metadata.labels).length) meta.labels = r.metadata.labels;
  return { kind: r.kind, metadata: meta, spec: r.spec };
}

/** SHA-256 (hex) of the canonical JSON of a resource: its version. */
export function resourceVersion(r: Pick<Resource, 'apiVersion' | 'kind' | 'metadata' | 'spec'>): string {
  return createHash('sha256').update(canonicalJson(canonicalResource(r))).digest('hex');
}
