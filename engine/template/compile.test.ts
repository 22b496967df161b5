import { describe, expect, it } from 'vitest';
import { compileValue, lookupPath, stringify, TemplateResolutionError, type TemplateScope } from './compile.js';
import { parseTemplate, templatePaths } from './parse.js';

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

describe('compileValue: structure', () => {
  it('treats scalars, null and strings without templates as constants', () => {
    for (const v of [1, true, null, 'plain } text', [1, 'a'], { a: { b: null } }]) {
      const c = compileValue(v, { owner: 'o' });
      expect(c.constant).toBe(true);
      expect(c.refs).toEqual([]);
      expect(c.resolve(scope())).toBe(v);
    }
  });

  it('marks a value holding a template as not constant', () => {
    expect(compileValue('{{ input.id }}', { owner: 'o' }).constant).toBe(false);
    expect(compileValue([1, '{{ input.id }}'], { owner: 'o' }).constant).toBe(false);
  });

  it('keeps constants next to templates in arrays and objects, with nulls and nesting', () => {
    const c = compileValue({ n: 1, z: null, list: ['a', '{{ input.id }}', null, { k: 'v' }], deep: { x: 'x', y: '{{ input.name }}' } }, { owner: 'o' });
    expect(c.resolve(scope())).toEqual({ n: 1, z: null, list: ['a', 7, null, { k: 'v' }], deep: { x: 'x', y: 'Ada' } });
  });

  it('builds a new value on each resolve, from the scope given', () => {
    const c = compileValue({ id: '{{ input.id }}' }, { owner: 'o' });
    const a = c.resolve(scope());
    const b = c.resolve(scope({ input: { id: 8 } }));
    expect(a).toEqual({ id: 7 });
    expect(b).toEqual({ id: 8 });
    expect(a).not.toBe(b);
  });

  it('drops object keys whose value is undefined and keeps keys in order', () => {
    const c = compileValue({ a: '{{ input.id }}', gone: undefined, b: 'b' }, { owner: 'o' });
    const out = c.resolve(scope()) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['a', 'b']);
  });

  it('keeps null resolved from a template', () => {
    const c = compileValue({ a: '{{ input.n }}', b: '{{ input.n ?? null }}' }, { owner: 'o' });
    expect(c.resolve(scope({ input: { n: null } }))).toEqual({ a: null, b: null });
  });
});

describe('compileValue: references', () => {
  it('records the pointer of each template, escaping ~ and / in keys', () => {
    const c = compileValue({ list: ['x', '{{ input.a }}'], 'a/b~c': '{{ input.b }}', top: 'v' }, { owner: 'o' });
    expect(c.refs.map((r) => [r.pointer, r.path.text])).toEqual([
      ['/list/1', 'input.a'],
      ['/a~1b~0c', 'input.b'],
    ]);
    expect(compileValue('{{ input.c }}', { owner: 'o' }).refs[0].pointer).toBe('');
  });

  it('marks every path but the last operand as having a fallback, and skips literals', () => {
    const c = compileValue("a {{ input.a ?? input.b }} b {{ input.c ?? 'd' }} {{ input.e }}", { owner: 'o' });
    expect(c.refs.map((r) => [r.path.text, r.hasFallback, r.expression.text])).toEqual([
      ['input.a', true, '{{ input.a ?? input.b }}'],
      ['input.b', false, '{{ input.a ?? input.b }}'],
      ['input.c', true, "{{ input.c ?? 'd' }}"],
      ['input.e', false, '{{ input.e }}'],
    ]);
  });
});

describe('compileValue: interpolation', () => {
  it('writes strings as they are and other values as JSON inside a longer string', () => {
    const c = compileValue('s={{input.s}} n={{input.n}} o={{input.o}} l={{input.l}} b={{input.b}} z={{input.z}} lit={{ 1.5 }}', { owner: 'o' });
    expect(c.resolve(scope({ input: { s: 'x y', n: 3, o: { a: 1 }, l: [1, 'a'], b: false, z: null } }))).toBe(
      's=x y n=3 o={"a":1} l=[1,"a"] b=false z=null lit=1.5',
    );
  });

  it('encodes only the interpolated values, never the literal text nor a whole-string template', () => {
    const encode = (t: string) => `<${t}>`;
    expect(compileValue('/a/{{input.x}}/{{input.y}}', { owner: 'o', encode }).resolve(scope({ input: { x: 'p q', y: 2 } }))).toBe('/a/<p q>/<2>');
    expect(compileValue('{{input.x}}', { owner: 'o', encode }).resolve(scope({ input: { x: 'p q' } }))).toBe('p q');
  });
});

describe('stringify', () => {
  it('writes strings as they are, undefined as nothing and the rest as JSON', () => {
    expect(stringify('a"b')).toBe('a"b');
    expect(stringify(undefined)).toBe('');
    expect(stringify(null)).toBe('null');
    expect(stringify(0)).toBe('0');
    expect(stringify({ a: [1] })).toBe('{"a":[1]}');
  });
});

describe('compileValue: paths', () => {
  it('reads characters and length of strings and length of arrays', () => {
    const c = compileValue(['{{ input.name[0] }}', '{{ input.name.length }}', '{{ input.flags.length }}'], { owner: 'o' });
    expect(c.resolve(scope())).toEqual(['A', 3, 2]);
  });

  it('reads falsy values as present', () => {
    const c = compileValue(["{{ input.zero ?? 'd' }}", "{{ input.no ?? 'd' }}", "{{ input.empty ?? 'd' }}"], { owner: 'o' });
    expect(c.resolve(scope({ input: { zero: 0, no: false, empty: '' } }))).toEqual([0, false, '']);
  });

  it('reads the status of a skipped step and a whole root', () => {
    const c = compileValue(['{{ tasks.skipped.status }}', '{{ forEach }}', '{{ input }}'], { owner: 'o' });
    expect(c.resolve(scope({ input: 1, forEach: { item: 'x' } }))).toEqual(['skipped', { item: 'x' }, 1]);
  });

  it('treats inherited methods and keys under scalars as missing', () => {
    const c = compileValue(
      ["{{ input.name.toUpperCase ?? 'm' }}", "{{ input.id.x ?? 'm' }}", "{{ input.flags.0.x ?? 'm' }}", "{{ input.none.x ?? 'm' }}", "{{ input.id.toFixed.length ?? 'm' }}", "{{ input.flags.0.valueOf.name ?? 'm' }}"],
      { owner: 'o' },
    );
    expect(c.resolve(scope({ input: { id: 7, name: 'Ada', flags: [true], none: null } }))).toEqual(['m', 'm', 'm', 'm', 'm', 'm']);
  });

  it('returns the first operand that is present and not null', () => {
    const c = compileValue({ a: "{{ input.n ?? 'd' }}", b: '{{ input.n ?? input.m }}', c: '{{ input.nope ?? input.n ?? 3 }}', d: "{{ 'lit' ?? input.id }}" }, { owner: 'o' });
    expect(c.resolve(scope({ input: { n: null, m: null, id: 1 } }))).toEqual({ a: 'd', b: null, c: 3, d: 'lit' });
  });

  it('still fails when every operand is null or missing and the last one is missing', () => {
    const c = compileValue('{{ input.n ?? input.nope }}', { owner: "step 'a'" });
    expect(() => c.resolve(scope({ input: { n: null } }))).toThrowError("step 'a': {{ input.n ?? input.nope }} has no key 'nope' under 'input' (object)");
  });
});

describe('lookupPath', () => {
  const path = (text: string) => templatePaths(parseTemplate(`{{ ${text} }}`))[0];

  it('returns the value at a path, or undefined when it is missing', () => {
    expect(lookupPath(scope(), path('tasks.fetch-user.output.address.city'))).toBe('Paris');
    expect(lookupPath(scope(), path('input.nested.list[1]'))).toEqual([3, 4]);
    expect(lookupPath(scope(), path('input.nope.deeper'))).toBeUndefined();
    expect(lookupPath(scope(), path('workflow.name'))).toBeUndefined();
  });
});

describe('compileValue: resolution errors', () => {
  function resolutionError(template: string, s: TemplateScope = scope()): TemplateResolutionError {
    try {
      compileValue(template, { owner: "step 'a'" }).resolve(s);
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateResolutionError);
      return e as TemplateResolutionError;
    }
    return expect.unreachable(`${template} resolved`);
  }

  const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, i]));
  const data = { list: [1, 2, 3], empty: [], obj: { alpha: 1, beta: 2, gamma: 3 }, many, n: null, id: 7, name: 'Ada' };

  it.each([
    ['{{ input.obj.alpah }}', "has no key 'alpah' under 'input.obj' (object)", "Did you mean 'alpha'? Keys there: alpha, beta, gamma."],
    ['{{ input.many.k }}', "has no key 'k' under 'input.many' (object)", "Did you mean 'k0' or 'k1' or 'k2'? Keys there: k0, k1, k2, k3, k4, k5, k6, k7, k8, k9."],
    ['{{ input.obj.zzz }}', "has no key 'zzz' under 'input.obj' (object)", 'Keys there: alpha, beta, gamma. Or add a fallback: {{ input.obj.zzz ?? null }}.'],
    ['{{ input.many.zzzzz }}', "has no key 'zzzzz' under 'input.many' (object)", 'Keys there: k0, k1, k2, k3, k4, k5, k6, k7, k8, k9. Or add a fallback: {{ input.many.zzzzz ?? null }}.'],
    ['{{ input.obj.hasOwnProperty }}', "has no key 'hasOwnProperty' under 'input.obj' (object)", 'Keys there: alpha, beta, gamma. Or add a fallback: {{ input.obj.hasOwnProperty ?? null }}.'],
    ['{{ input.list[5] }}', "has no index [5] under 'input.list' (an array of 3)", 'Keys there: [0]…[2]. Or add a fallback: {{ input.list[5] ?? null }}.'],
    ['{{ input.empty[0] }}', "has no index [0] under 'input.empty' (an array of 0)", 'Add a fallback: {{ input.empty[0] ?? null }}.'],
    ['{{ input.list[1].x }}', "has no key 'x' under 'input.list[1]' (number)", 'Add a fallback: {{ input.list[1].x ?? null }}.'],
    ['{{ input.n.x }}', "has no key 'x' under 'input.n' (null)", 'Add a fallback: {{ input.n.x ?? null }}.'],
    ['{{ input.name.x }}', "has no key 'x' under 'input.name' (string)", 'Add a fallback: {{ input.name.x ?? null }}.'],
    ['{{ input.name.length.x }}', "has no key 'x' under 'input.name.length' (number)", 'Add a fallback: {{ input.name.length.x ?? null }}.'],
    ['{{ input.id.toFixed }}', "has no key 'toFixed' under 'input.id' (number)", 'Add a fallback: {{ input.id.toFixed ?? null }}.'],
    ['{{ input.obj.alpha.x }}', "has no key 'x' under 'input.obj.alpha' (number)", 'Add a fallback: {{ input.obj.alpha.x ?? null }}.'],
  ])('explains why %s is missing', (template, detail, hint) => {
    const e = resolutionError(template, scope({ input: data }));
    expect(e.code).toBe('WF_TEMPLATE_MISSING');
    expect(e.name).toBe('TemplateResolutionError');
    expect(e.message).toBe(`step 'a': ${template} ${detail}`);
    expect(e.template).toBe(template);
    expect(e.hint).toBe(hint);
    expect(e.unavailableStep).toBeUndefined();
  });

  it('says a root is not available and lists the roots that are', () => {
    const e = resolutionError('{{ forEach.item }}', scope({ forEach: undefined, workflow: { name: 'w' } }));
    expect(e.code).toBe('WF_TEMPLATE_MISSING');
    expect(e.message).toBe("step 'a': {{ forEach.item }} starts with 'forEach', which is not available here");
    expect(e.hint).toBe('Available: input, tasks, workflow.');
  });

  it('says which step was skipped, with its reason, and how to fall back', () => {
    const e = resolutionError('{{ tasks.skipped.output.x }}');
    expect(e.code).toBe('WF_TEMPLATE_STEP_UNAVAILABLE');
    expect(e.message).toBe("step 'a': {{ tasks.skipped.output.x }} reads step 'skipped', which was skipped (condition was false)");
    expect(e.hint).toBe('Give the template a fallback, e.g. {{ tasks.skipped.output.x ?? null }}, or depend on a step that always runs.');
    expect(e.unavailableStep).toEqual({ id: 'skipped', status: 'skipped', reason: 'condition was false' });
  });

  it('says which step failed when it has no reason', () => {
    const e = resolutionError('{{ tasks.charge.output }}', scope({ tasks: { charge: { status: 'failed', error: { type: 'http', message: '500' } } } }));
    expect(e.code).toBe('WF_TEMPLATE_STEP_UNAVAILABLE');
    expect(e.message).toBe("step 'a': {{ tasks.charge.output }} reads step 'charge', which was failed");
    expect(e.unavailableStep).toEqual({ id: 'charge', status: 'failed', reason: undefined });
  });

  it('reports a missing key of a step that succeeded, or an unknown step, as a missing key', () => {
    expect(resolutionError('{{ tasks.fetch-user.output.nope }}').code).toBe('WF_TEMPLATE_MISSING');
    const e = resolutionError('{{ tasks.nope.output }}');
    expect(e.message).toBe("step 'a': {{ tasks.nope.output }} has no key 'nope' under 'tasks' (object)");
    expect(e.hint).toBe('Keys there: fetch-user, skipped. Or add a fallback: {{ tasks.nope.output ?? null }}.');
  });

  it('looks up steps only for paths under tasks', () => {
    const e = resolutionError('{{ input.skipped }}', scope({ input: {} }));
    expect(e.code).toBe('WF_TEMPLATE_MISSING');
    expect(e.message).toBe("step 'a': {{ input.skipped }} has no key 'skipped' under 'input' (object)");
  });

  it('reports a value that is not JSON as resolving to nothing', () => {
    const e = resolutionError('{{ input }}', scope({ input: () => 1 }));
    expect(e.code).toBe('WF_TEMPLATE_MISSING');
    expect(e.message).toBe("step 'a': {{ input }} resolved to nothing");
    expect(e.hint).toBe('Check the path.');
  });
});
