import { describe, expect, it } from 'vitest';
import { compileValue, TemplateResolutionError, type TemplateScope } from './compile.js';

const scope = (over: Partial<TemplateScope> = {}): TemplateScope => ({
  input: { id: 7, name: 'Ada', flags: [true, false], 'a.b': 'dotted', nested: { list: [[1, 2], [3, 4]] } },
  tasks: {
    'fetch-user': { status: 'succeeded', output: { email: 'ada@example.com', address: { city: 'Paris' }, items: [{ id: 'i1' }] } },
    skipped: { status: 'skipped', reason: 'condition was false' },
  },
  ...over,
});

describe('compileValue', () => {
  it('keeps the JSON type of a value that is exactly one template', () => {
    const c = compileValue({ id: '{{ input.id }}', flags: '{{input.flags}}', user: '{{tasks.fetch-user.output}}' }, { owner: "step 'x'" });
    expect(c.resolve(scope())).toEqual({ id: 7, flags: [true, false], user: scope().tasks['fetch-user'].output });
  });

  it('interpolates templates inside a longer string', () => {
    const c = compileValue('user {{input.id}} lives in {{ tasks.fetch-user.output.address.city }}', { owner: 'o' });
    expect(c.resolve(scope())).toBe('user 7 lives in Paris');
  });

  it('reads chained indexes and quoted keys', () => {
    const c = compileValue(['{{input.nested.list[1][0]}}', '{{ input["a.b"] }}', "{{input['a.b']}}", '{{tasks.fetch-user.output.items[0].id}}'], { owner: 'o' });
    expect(c.resolve(scope())).toEqual([3, 'dotted', 'dotted', 'i1']);
  });

  it('returns constants unchanged and marks them constant', () => {
    const v = { a: 1, b: ['x'] };
    const c = compileValue(v, { owner: 'o' });
    expect(c.constant).toBe(true);
    expect(c.resolve(scope())).toBe(v);
  });

  it('uses the fallback when the path is missing or null', () => {
    const c = compileValue({ a: "{{ input.nope ?? 'none' }}", b: '{{ tasks.skipped.output.x ?? 0 }}', c: '{{ input.nope ?? input.id }}' }, { owner: 'o' });
    expect(c.resolve(scope())).toEqual({ a: 'none', b: 0, c: 7 });
  });

  it('accepts an empty array or object as a fallback', () => {
    const c = compileValue({ a: '{{ input.nope ?? [] }}', b: '{{ input.nope ?? {} }}' }, { owner: 'o' });
    expect(c.resolve(scope())).toEqual({ a: [], b: {} });
  });

  it('names the owner, the template and the nearest keys when a key is missing', () => {
    const c = compileValue('{{tasks.fetch-user.output.emial}}', { owner: "step 'notify' input" });
    try {
      c.resolve(scope());
      expect.unreachable();
    } catch (e) {
      const err = e as TemplateResolutionError;
      expect(err.code).toBe('WF_TEMPLATE_MISSING');
      expect(err.message).toContain("step 'notify' input");
      expect(err.message).toContain('{{tasks.fetch-user.output.emial}}');
      expect(err.message).toContain("key 'emial'");
      expect(err.hint).toContain("'email'");
    }
  });

  it('says which step was skipped when a template reads its output', () => {
    const c = compileValue('{{tasks.skipped.output.x}}', { owner: 'o' });
    expect(() => c.resolve(scope())).toThrowError(/which was skipped \(condition was false\)/);
  });

  it('encodes interpolated values when asked (URL path segments)', () => {
    const c = compileValue('/users/{{input.name}}/x', { owner: 'o', encode: encodeURIComponent });
    expect(c.resolve(scope({ input: { name: 'a b/c' } }))).toBe('/users/a%20b%2Fc/x');
  });

  it('records each reference with its pointer and whether it has a fallback', () => {
    const c = compileValue({ a: { b: '{{tasks.fetch-user.output.email ?? null}}' } }, { owner: 'o' });
    expect(c.refs.map((r) => [r.pointer, r.path.text, r.hasFallback])).toEqual([['/a/b', 'tasks.fetch-user.output.email', true]]);
  });
});
