import { describe, expect, it } from 'vitest';
import { compareContracts, outputMapSchema } from './contract.js';

const obj = (properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) => ({ type: 'object', properties, required, ...extra });
const pick = (list: ReturnType<typeof compareContracts>) => list.map((c) => ({ field: c.field, change: c.change, breaking: c.breaking }));

describe('compareContracts: input (what callers send)', () => {
  it('a new required input field is breaking', () => {
    expect(pick(compareContracts('input', obj({ a: {} }, ['a']), obj({ a: {}, b: {} }, ['a', 'b'])))).toEqual([{ field: 'b', change: 'field-added', breaking: true }]);
  });

  it('a new optional input field is not breaking', () => {
    expect(pick(compareContracts('input', obj({ a: {} }), obj({ a: {}, b: {} })))).toEqual([{ field: 'b', change: 'field-added', breaking: false }]);
  });

  it('an optional field made required is breaking, the reverse is not', () => {
    expect(pick(compareContracts('input', obj({ a: {} }), obj({ a: {} }, ['a'])))).toEqual([{ field: 'a', change: 'became-required', breaking: true }]);
    expect(pick(compareContracts('input', obj({ a: {} }, ['a']), obj({ a: {} })))).toEqual([{ field: 'a', change: 'became-optional', breaking: false }]);
  });

  it('a removed input field breaks only when the schema now rejects unknown fields', () => {
    expect(pick(compareContracts('input', obj({ a: {}, b: {} }), obj({ a: {} })))).toEqual([{ field: 'b', change: 'field-removed', breaking: false }]);
    expect(pick(compareContracts('input', obj({ a: {}, b: {} }), obj({ a: {} }, [], { additionalProperties: false })))).toEqual([{ field: 'b', change: 'field-removed', breaking: true }]);
  });

  it('narrowing a type breaks callers, widening does not (integer is inside number)', () => {
    expect(pick(compareContracts('input', obj({ n: { type: 'number' } }), obj({ n: { type: 'integer' } })))).toEqual([{ field: 'n', change: 'type-changed', breaking: true }]);
    expect(pick(compareContracts('input', obj({ n: { type: 'integer' } }), obj({ n: { type: 'number' } })))).toEqual([{ field: 'n', change: 'type-changed', breaking: false }]);
  });

  it('removing enum values breaks callers, adding them does not', () => {
    expect(pick(compareContracts('input', obj({ t: { enum: ['a', 'b'] } }), obj({ t: { enum: ['a', 'c'] } })))).toEqual([
      { field: 't', change: 'enum-values-removed', breaking: true },
      { field: 't', change: 'enum-values-added', breaking: false },
    ]);
  });

  it('a raised minimum is breaking for input and a lowered one is not', () => {
    expect(pick(compareContracts('input', obj({ q: { minimum: 1 } }), obj({ q: { minimum: 5 } })))).toEqual([{ field: 'q', change: 'constraint-changed', breaking: true }]);
    expect(pick(compareContracts('input', obj({ q: { minimum: 5 } }), obj({ q: { minimum: 1 } })))).toEqual([{ field: 'q', change: 'constraint-changed', breaking: false }]);
  });

  it('adding an input schema with required fields where there was none is breaking for those fields', () => {
    expect(pick(compareContracts('input', undefined, obj({ a: {} }, ['a'])))).toEqual([{ field: 'a', change: 'field-added', breaking: true }]);
  });
});

describe('compareContracts: output (what consumers read)', () => {
  it('a removed output field is breaking and an added one is not', () => {
    expect(pick(compareContracts('output', obj({ a: {}, b: {} }), obj({ a: {}, c: {} })))).toEqual([
      { field: 'b', change: 'field-removed', breaking: true },
      { field: 'c', change: 'field-added', breaking: false },
    ]);
  });

  it('a required output field made optional is breaking', () => {
    expect(pick(compareContracts('output', obj({ a: {} }, ['a']), obj({ a: {} })))).toEqual([{ field: 'a', change: 'became-optional', breaking: true }]);
  });

  it('new enum values in an output are breaking', () => {
    expect(pick(compareContracts('output', obj({ t: { enum: ['a'] } }), obj({ t: { enum: ['a', 'b'] } })))).toEqual([{ field: 't', change: 'enum-values-added', breaking: true }]);
  });

  it('reaches fields inside arrays as items[] paths', () => {
    const before = obj({ items: { type: 'array', items: obj({ sku: {}, qty: {} }) } });
    const after = obj({ items: { type: 'array', items: obj({ sku: {} }) } });
    expect(pick(compareContracts('output', before, after))).toEqual([{ field: 'items[].qty', change: 'field-removed', breaking: true }]);
  });

  it('names the items of a top-level array output [].field', () => {
    expect(pick(compareContracts('output', { type: 'array', items: obj({ id: {} }) }, { type: 'array', items: obj({}) }))).toEqual([{ field: '[].id', change: 'field-removed', breaking: true }]);
  });

  it('a removed output schema is reported once and is not breaking', () => {
    expect(pick(compareContracts('output', obj({ a: {} }), undefined))).toEqual([{ field: '', change: 'schema-removed', breaking: false }]);
  });
});

describe('outputMapSchema', () => {
  it('turns a workflow output map into an object schema with every key required', () => {
    expect(outputMapSchema({ id: '{{tasks.a.output.id}}', nested: { x: 1 } })).toEqual({
      type: 'object',
      properties: { id: {}, nested: { type: 'object', properties: { x: {} }, required: ['x'] } },
      required: ['id', 'nested'],
    });
  });
});
