import { describe, expect, it } from 'vitest';
import { compileTransform, TransformSyntaxError } from './jsonata.js';

function syntaxError(expression: string): TransformSyntaxError {
  try {
    compileTransform(expression);
  } catch (e) {
    expect(e).toBeInstanceOf(TransformSyntaxError);
    return e as TransformSyntaxError;
  }
  return expect.unreachable(`'${expression}' compiled`);
}

describe('compileTransform', () => {
  it('keeps the expression as written', () => {
    expect(compileTransform('$sum(items.price)').expression).toBe('$sum(items.price)');
  });

  it('evaluates against the input', async () => {
    const t = compileTransform('$sum(items.price)');
    expect(await t.evaluate({ items: [{ price: 2 }, { price: 3 }] })).toBe(5);
  });

  it('returns scalars as they are', async () => {
    expect(await compileTransform('name').evaluate({ name: 'Ada' })).toBe('Ada');
    expect(await compileTransform('n * 2').evaluate({ n: 21 })).toBe(42);
    expect(await compileTransform('ok').evaluate({ ok: false })).toBe(false);
    expect(await compileTransform('v').evaluate({ v: null })).toBeNull();
  });

  it('turns a result of nothing into null', async () => {
    expect(await compileTransform('missing.field').evaluate({ other: 1 })).toBeNull();
  });

  it('returns sequences as plain arrays, without the JSONata sequence marker', async () => {
    const v = (await compileTransform('items.price').evaluate({ items: [{ price: 1 }, { price: 2 }] })) as unknown[];
    expect(Array.isArray(v)).toBe(true);
    expect(Object.keys(v)).toEqual(['0', '1']);
    expect(JSON.stringify(v)).toBe('[1,2]');
  });

  it('returns constructed objects as plain objects, normalising nested sequences and keeping nulls', async () => {
    const v = (await compileTransform('{"prices": items.price, "none": null, "deep": {"ids": items.id}}').evaluate({
      items: [
        { id: 'a', price: 1 },
        { id: 'b', price: 2 },
      ],
    })) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(v).toEqual({ prices: [1, 2], none: null, deep: { ids: ['a', 'b'] } });
    expect(Object.keys(v.prices as unknown[])).toEqual(['0', '1']);
    expect(Object.getPrototypeOf(v.deep)).toBe(Object.prototype);
    expect(Object.keys((v.deep as { ids: unknown[] }).ids)).toEqual(['0', '1']);
  });

  it('copies arrays of objects item by item', async () => {
    const v = (await compileTransform('items.{"p": price}').evaluate({ items: [{ price: 1 }, { price: 2 }] })) as Array<Record<string, unknown>>;
    expect(v).toEqual([{ p: 1 }, { p: 2 }]);
    expect(Object.getPrototypeOf(v[0])).toBe(Object.prototype);
  });

  it('rejects an expression that does not parse, with the JSONata message and a 0-based offset', () => {
    const e = syntaxError('$sum(');
    expect(e.code).toBe('WF_TRANSFORM_SYNTAX');
    expect(e.name).toBe('TransformSyntaxError');
    expect(e.message).toBe('JSONata: Expected ")" before end of expression');
    expect(e.offset).toBe(4);
  });

  it('points at the offending token', () => {
    const e = syntaxError('foo bar');
    expect(e.message).toBe('JSONata: Syntax error: "bar"');
    expect(e.offset).toBe(6);
  });

  it('never reports a negative offset', () => {
    const e = syntaxError('');
    expect(e.message).toBe('JSONata: Unexpected end of expression');
    expect(e.offset).toBe(0);
  });

  it('lets evaluation errors through with their JSONata code', async () => {
    await expect(compileTransform('$undefinedFn()').evaluate({})).rejects.toMatchObject({ code: 'T1006' });
  });
});
