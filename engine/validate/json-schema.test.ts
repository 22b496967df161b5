import { describe, expect, it } from 'vitest';
import { declaredTypes, schemaAt, typeFit } from './json-schema.js';

const user = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    orders: { type: 'array', items: { type: 'object', properties: { total: { type: 'number' } } } },
    pair: { type: 'array', items: [{ type: 'string' }, { type: 'object', properties: { x: {} } }] },
    meta: { type: 'object' },
    labels: { type: 'object', properties: { a: {} }, additionalProperties: { type: 'string' } },
    open: { type: 'object', properties: { a: {} }, additionalProperties: true },
    patterned: { type: 'object', properties: { a: {} }, patternProperties: { '^x-': {} } },
  },
};

describe('schemaAt', () => {
  it('walks properties and items to the schema of a path', () => {
    expect(schemaAt(user, ['orders', 3, 'total'])).toEqual({ kind: 'found', schema: { type: 'number' } });
  });

  it('names the missing key, its depth and the keys that exist', () => {
    expect(schemaAt(user, ['orders', 0, 'totl'])).toEqual({ kind: 'missing', key: 'totl', depth: 2, known: ['total'] });
  });

  it('follows tuple items by index', () => {
    expect(schemaAt(user, ['pair', 1, 'y'])).toMatchObject({ kind: 'missing', key: 'y' });
    expect(schemaAt(user, ['pair', 5, 'y'])).toEqual({ kind: 'open' });
  });

  it.each([
    ['no properties', ['meta', 'anything']],
    ['additionalProperties with a schema', ['labels', 'b']],
    ['additionalProperties: true', ['open', 'b']],
    ['patternProperties', ['patterned', 'x-b']],
    ['a key under a string', ['name', 'length']],
  ])('stops checking at a schema with %s', (_, path) => {
    expect(schemaAt(user, path as string[])).toEqual({ kind: 'open' });
  });

  it('is open when there is no schema at all', () => {
    expect(schemaAt(undefined, ['a'])).toEqual({ kind: 'open' });
  });

  it('is the schema itself for an empty path', () => {
    expect(schemaAt({ type: 'string' }, [])).toEqual({ kind: 'found', schema: { type: 'string' } });
  });

  it('is open for an index into a schema without items', () => {
    expect(schemaAt(user, ['name', 0])).toEqual({ kind: 'open' });
    expect(schemaAt(user, ['orders', 0])).toEqual({ kind: 'found', schema: user.properties.orders.items });
  });

  it('reports a missing key when additionalProperties is false', () => {
    const closed = { properties: { a: {}, b: {} }, additionalProperties: false };
    expect(schemaAt(closed, ['c'])).toEqual({ kind: 'missing', key: 'c', depth: 0, known: ['a', 'b'] });
  });

  it('does not take inherited names for declared properties', () => {
    expect(schemaAt({ properties: { a: {} } }, ['toString'])).toEqual({ kind: 'missing', key: 'toString', depth: 0, known: ['a'] });
  });

  it('is open at a property whose schema is not an object', () => {
    expect(schemaAt({ properties: { a: true } }, ['a'])).toEqual({ kind: 'open' });
    expect(schemaAt({ properties: { a: true } }, ['a', 'b'])).toEqual({ kind: 'open' });
  });
});

describe('typeFit', () => {
  it.each([
    [['integer'], ['number'], 'ok'],
    [['string'], ['string', 'null'], 'ok'],
    [['string', 'null'], ['string'], 'ok'],
    [['number'], ['integer'], 'narrowing'],
    [['string'], ['integer'], 'incompatible'],
    [['object'], ['array'], 'incompatible'],
    [['number'], ['string'], 'incompatible'],
    [['string'], ['number'], 'incompatible'],
    [['integer'], ['string'], 'incompatible'],
    [['number'], ['number'], 'ok'],
  ] as const)('%j into %j is %s', (producer, consumer, fit) => {
    expect(typeFit(producer, consumer)).toBe(fit);
  });
});

describe('declaredTypes', () => {
  it('reads a type name or a list, and nothing else', () => {
    expect(declaredTypes({ type: 'string' })).toEqual(['string']);
    expect(declaredTypes({ type: ['string', 'null'] })).toEqual(['string', 'null']);
    expect(declaredTypes({ enum: ['a'] })).toBeUndefined();
    expect(declaredTypes({ type: [] })).toBeUndefined();
    expect(declaredTypes({ type: ['string', 1] })).toBeUndefined();
    expect(declaredTypes({ type: 3 })).toBeUndefined();
    expect(declaredTypes('string')).toBeUndefined();
    expect(declaredTypes(null)).toBeUndefined();
  });
});
