import type { JsonSchema } from '../model/types.js';
import { isObject } from './context.js';

/** What a JSON Schema says about the value at a path inside it. */
export type SchemaLookup =
  | { kind: 'found'; schema: JsonSchema }
  /** The schema does not constrain the path (no `properties`, open `additionalProperties`, combinators). */
  | { kind: 'open' }
  /** The schema lists its properties and `key` (at `depth` in the path) is not one of them. */
  | { kind: 'missing'; key: string; depth: number; known: string[] };

/**
 * Walks a JSON Schema along a template path: string segments through `properties`, numeric ones
 * through `items`. Checking stops ("open") where the schema has no `properties`, allows
 * additional properties explicitly (`true` or a schema), has `patternProperties`, or is not an object.
 * @example schemaAt({ properties: { a: { items: { properties: { b: {} } } } } }, ['a', 0, 'c'])
 * // { kind: 'missing', key: 'c', depth: 2, known: ['b'] }
 */
export function schemaAt(schema: unknown, segments: ReadonlyArray<string | number>): SchemaLookup {
  let cur: unknown = schema;
  for (let depth = 0; depth < segments.length; depth++) {
    if (!isObject(cur)) return { kind: 'open' };
    const seg = segments[depth];
    if (typeof seg === 'number') {
      const items = cur.items;
      if (isObject(items)) cur = items;
      else if (Array.isArray(items) && isObject(items[seg])) cur = items[seg];
      else return { kind: 'open' };
      continue;
    }
    const props = cur.properties;
    if (!isObject(props)) return { kind: 'open' };
    if (Object.prototype.hasOwnProperty.call(props, seg)) {
      cur = props[seg];
      continue;
    }
    const extra = cur.additionalProperties;
    if (extra === true || isObject(extra) || isObject(cur.patternProperties)) return { kind: 'open' };
    return { kind: 'missing', key: seg, depth, known: Object.keys(props) };
  }
  return isObject(cur) ? { kind: 'found', schema: cur } : { kind: 'open' };
}

/** The JSON types a schema declares with `type`, or undefined when it declares none. */
export function declaredTypes(schema: unknown): string[] | undefined {
  if (!isObject(schema)) return undefined;
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t) && t.length && t.every((x) => typeof x === 'string')) return t as string[];
  return undefined;
}

/**
 * Whether a value of the producer's types fits the consumer's: `ok` when some producer type is
 * accepted (an integer is a number), `narrowing` for number into integer, otherwise `incompatible`.
 * @example typeFit(['integer'], ['number']) // 'ok'
 * @example typeFit(['string'], ['integer']) // 'incompatible'
 */
export function typeFit(producer: readonly string[], consumer: readonly string[]): 'ok' | 'narrowing' | 'incompatible' {
  const accepts = (t: string) => consumer.includes(t) || (t === 'integer' && consumer.includes('number'));
  if (producer.some(accepts)) return 'ok';
  if (producer.includes('number') && consumer.includes('integer')) return 'narrowing';
  return 'incompatible';
}
