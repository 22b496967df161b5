import { canonicalJson } from '../model/canonical.js';
import type { JsonSchema } from '../model/types.js';
import type { ContractChange } from './types.js';

type Direction = 'input' | 'output';

/** Numeric keywords: raising a `min` or lowering a `max` accepts fewer values. */
const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
/** Keywords where any new or changed value accepts fewer values. */
const EXACT = ['pattern', 'format', 'const', 'multipleOf'];

/**
 * Compares two JSON Schemas of a contract and classifies each change. For an `input` contract
 * (what callers send) a change is breaking when the head accepts less than the base: a new
 * required field, an optional field made required, a narrower type, removed enum values, a
 * tighter bound. For an `output` contract (what consumers read) it is breaking when the head
 * promises less: a removed field, a required field made optional, a wider type, new enum values.
 * A missing schema accepts anything.
 * @example compareContracts('input', { type: 'object', properties: {} }, { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] })
 * // [{ contract: 'input', field: 'id', change: 'field-added', breaking: true, … }]
 */
export function compareContracts(direction: Direction, before: JsonSchema | undefined, after: JsonSchema | undefined): ContractChange[] {
  const out: ContractChange[] = [];
  if (before && after === undefined) {
    out.push({ contract: direction, field: '', change: 'schema-removed', breaking: false, reason: `The ${direction} schema was removed: the ${direction} is no longer checked.` });
    return out;
  }
  if (direction === 'output' && before === undefined && after) {
    out.push({ contract: direction, field: '', change: 'schema-added', breaking: false, reason: 'An output schema now describes the output; consumers can be checked against it.' });
    return out;
  }
  compareNode(direction, before ?? {}, after ?? {}, [], out);
  return out;
}

function compareNode(dir: Direction, b: JsonSchema, a: JsonSchema, path: string[], out: ContractChange[]): void {
  const field = fieldPath(path);
  const push = (change: ContractChange['change'], breaking: boolean, reason: string, before?: unknown, after?: unknown) =>
    out.push({ contract: dir, field, change, breaking, reason, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });

  const tb = typeSet(b);
  const ta = typeSet(a);
  if (tb && ta && !sameSet(tb, ta)) {
    // Input breaks when a type callers could send is no longer accepted; output when consumers may get a type they did not.
    const narrowed = [...tb].some((t) => !accepts(ta, t));
    const widened = [...ta].some((t) => !accepts(tb, t));
    const breaking = dir === 'input' ? narrowed : widened;
    push('type-changed', breaking, breaking ? (dir === 'input' ? 'Callers sending the old type are now rejected.' : 'Consumers may now receive a type they do not expect.') : (dir === 'input' ? 'The new type accepts everything the old one did.' : 'The new type is narrower than the old one.'), [...tb].join('|'), [...ta].join('|'));
  }

  const eb = Array.isArray(b.enum) ? b.enum : undefined;
  const ea = Array.isArray(a.enum) ? a.enum : undefined;
  if (eb && ea) {
    const keys = (l: unknown[]) => new Set(l.map((v) => canonicalJson(v)));
    const kb = keys(eb);
    const ka = keys(ea);
    const removed = eb.filter((v) => !ka.has(canonicalJson(v)));
    const added = ea.filter((v) => !kb.has(canonicalJson(v)));
    if (removed.length) push('enum-values-removed', dir === 'input', dir === 'input' ? 'Callers sending a removed value are now rejected.' : 'Consumers no longer receive these values.', removed);
    if (added.length) push('enum-values-added', dir === 'output', dir === 'output' ? 'Consumers may now receive a value they do not handle.' : 'More values are accepted.', undefined, added);
  } else if (!eb !== !ea) {
    const tightened = Boolean(ea);
    push('constraint-changed', dir === 'input' ? tightened : !tightened, tightened ? 'An enum now restricts the values.' : 'The enum restriction was removed.', eb, ea);
  }

  for (const k of [...LOWER_BOUNDS, ...UPPER_BOUNDS, ...EXACT]) {
    const vb = b[k];
    const va = a[k];
    if (canonicalJson(vb) === canonicalJson(va)) continue;
    const tightened = tightens(k, vb, va);
    const loosened = tightens(k, va, vb);
    const breaking = dir === 'input' ? tightened : loosened;
    push('constraint-changed', breaking, `${k} ${vb === undefined ? 'added' : va === undefined ? 'removed' : 'changed'}: ${tightened ? 'fewer' : 'more'} values are ${dir === 'input' ? 'accepted' : 'possible'}.`, vb === undefined ? undefined : { [k]: vb }, va === undefined ? undefined : { [k]: va });
  }

  const pb = objectOf(b.properties);
  const pa = objectOf(a.properties);
  const rb = new Set(Array.isArray(b.required) ? (b.required as string[]) : []);
  const ra = new Set(Array.isArray(a.required) ? (a.required as string[]) : []);
  for (const key of Object.keys(pb)) {
    const f = fieldPath([...path, key]);
    if (!(key in pa)) {
      if (dir === 'input') {
        const closed = a.additionalProperties === false;
        out.push({ contract: dir, field: f, change: 'field-removed', breaking: closed, reason: closed ? 'Callers still sending it are rejected (additionalProperties is false).' : 'Callers may still send it; it is ignored.' });
      } else out.push({ contract: dir, field: f, change: 'field-removed', breaking: true, reason: 'Consumers reading it get nothing.' });
      continue;
    }
    if (!rb.has(key) && ra.has(key)) out.push({ contract: dir, field: f, change: 'became-required', breaking: dir === 'input', reason: dir === 'input' ? 'Callers that leave it out are now rejected.' : 'It is now always present.' });
    if (rb.has(key) && !ra.has(key)) out.push({ contract: dir, field: f, change: 'became-optional', breaking: dir === 'output', reason: dir === 'output' ? 'Consumers can no longer rely on it being present.' : 'Callers may now leave it out.' });
    compareNode(dir, objectOf(pb[key]), objectOf(pa[key]), [...path, key], out);
  }
  for (const key of Object.keys(pa)) {
    if (key in pb) continue;
    const f = fieldPath([...path, key]);
    const required = ra.has(key);
    if (dir === 'input') out.push({ contract: dir, field: f, change: 'field-added', breaking: required, reason: required ? 'A new required input: callers that do not send it are rejected.' : 'A new optional input.' });
    else out.push({ contract: dir, field: f, change: 'field-added', breaking: false, reason: 'A new output field.' });
  }

  const ib = b.items;
  const ia = a.items;
  if (isSchemaObject(ib) || isSchemaObject(ia)) compareNode(dir, objectOf(ib), objectOf(ia), [...path, '[]'], out);
}

/** `['address', 'city']` → `address.city`; `['items', '[]', 'sku']` → `items[].sku`. */
export function fieldPath(segments: readonly string[]): string {
  let s = '';
  for (const seg of segments) s += seg === '[]' ? '[]' : s ? `.${seg}` : seg;
  return s;
}

/** The JSON types a schema allows, or undefined when it says nothing about type. */
function typeSet(s: JsonSchema): Set<string> | undefined {
  if (typeof s.type === 'string') return new Set([s.type]);
  if (Array.isArray(s.type)) return new Set(s.type as string[]);
  return undefined;
}

function accepts(types: Set<string>, t: string): boolean {
  return types.has(t) || (t === 'integer' && types.has('number'));
}

function sameSet(x: Set<string>, y: Set<string>): boolean {
  return x.size === y.size && [...x].every((v) => y.has(v));
}

/** True when going from `from` to `to` for keyword `k` accepts fewer values. */
function tightens(k: string, from: unknown, to: unknown): boolean {
  if (to === undefined) return false;
  if (from === undefined) return true;
  if (LOWER_BOUNDS.includes(k)) return Number(to) > Number(from);
  if (UPPER_BOUNDS.includes(k)) return Number(to) < Number(from);
  return true;
}

function isSchemaObject(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectOf(v: unknown): JsonSchema {
  return isSchemaObject(v) ? v : {};
}

/**
 * The output contract of a workflow as a schema: its `output` map, every key required, each
 * templated value of any type. Removing a key is then a removed output field.
 */
export function outputMapSchema(output: unknown): JsonSchema | undefined {
  if (output === undefined) return undefined;
  if (!isSchemaObject(output)) return {};
  const properties: Record<string, JsonSchema> = {};
  for (const [k, v] of Object.entries(output)) properties[k] = outputMapSchema(v) ?? {};
  return { type: 'object', properties, required: Object.keys(output) };
}
