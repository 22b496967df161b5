import { describe, expect, it } from 'vitest';
import type { TemplateScope } from '../template/compile.js';
import { previewValue } from './preview.js';

const scope: TemplateScope = {
  input: { id: 'u1', n: 3, tags: ['a', 'b'], user: { name: 'Ada' }, none: null, zero: 0, off: false, empty: '' },
  tasks: {},
  forEach: { item: { sku: 'p-1' }, index: 0 },
};
const preview = (value: unknown) => previewValue(value, scope);

describe('previewValue', () => {
  it('keeps the JSON type of a value that is one whole template', () => {
    expect(preview('{{input.n}}')).toEqual({ value: 3, unresolved: [] });
    expect(preview('{{ input.tags }}')).toEqual({ value: ['a', 'b'], unresolved: [] });
    expect(preview('{{forEach.item.sku}}')).toEqual({ value: 'p-1', unresolved: [] });
    expect(preview('{{forEach.index}}')).toEqual({ value: 0, unresolved: [] });
  });

  it('resolves falsy input values as they are', () => {
    expect(preview('{{input.zero}}').value).toBe(0);
    expect(preview('{{input.off}}').value).toBe(false);
    expect(preview('{{input.empty}}').value).toBe('');
  });

  it('writes values into a longer string as text, objects as JSON', () => {
    expect(preview('user {{input.id}} has {{input.n}} of {{input.tags}}, {{input.user}}')).toEqual({
      value: 'user u1 has 3 of ["a","b"], {"name":"Ada"}',
      unresolved: [],
    });
  });

  it('leaves step outputs as written and lists them as unresolved', () => {
    expect(preview('{{ tasks.a.output.id }}')).toEqual({ value: '{{ tasks.a.output.id }}', unresolved: ['{{ tasks.a.output.id }}'] });
    expect(preview('id={{input.id}}&e={{tasks.a.output.e}}')).toEqual({ value: 'id=u1&e={{tasks.a.output.e}}', unresolved: ['{{tasks.a.output.e}}'] });
  });

  it('uses the fallback when the input leaves a value missing or null', () => {
    expect(preview("{{ input.missing ?? 'anon' }}").value).toBe('anon');
    expect(preview('{{ input.none ?? input.id }}').value).toBe('u1');
    expect(preview('{{ input.missing ?? forEach.item.sku }}').value).toBe('p-1');
    expect(preview('x-{{ input.missing ?? 7 }}').value).toBe('x-7');
    expect(preview("{{ forEach.missing ?? 'none' }}").value).toBe('none');
    expect(preview('{{ forEach.missing ?? input.id }}').value).toBe('u1');
  });

  it('does not take a fallback past a step output, which the run may still fill', () => {
    expect(preview("{{ tasks.a.output ?? 'none' }}")).toEqual({ value: "{{ tasks.a.output ?? 'none' }}", unresolved: ["{{ tasks.a.output ?? 'none' }}"] });
    expect(preview('{{ input.missing ?? tasks.a.output ?? 1 }}').unresolved).toEqual(['{{ input.missing ?? tasks.a.output ?? 1 }}']);
    expect(preview('{{ workflow.name }}').unresolved).toEqual(['{{ workflow.name }}']);
  });

  it('resolves an input that is null to null, like a run does', () => {
    expect(preview('{{input.none}}')).toEqual({ value: null, unresolved: [] });
    expect(preview('{{input.missing ?? input.none}}')).toEqual({ value: null, unresolved: [] });
    expect(preview('v={{input.none}}')).toEqual({ value: 'v=null', unresolved: [] });
  });

  it('leaves a missing input without fallback unresolved', () => {
    expect(preview('{{input.missing}}')).toEqual({ value: '{{input.missing}}', unresolved: ['{{input.missing}}'] });
    expect(preview('a {{input.missing}} b')).toEqual({ value: 'a {{input.missing}} b', unresolved: ['{{input.missing}}'] });
  });

  it('keeps a string that does not parse and reports it unresolved as a whole', () => {
    expect(preview('id {{ input.id')).toEqual({ value: 'id {{ input.id', unresolved: ['id {{ input.id'] });
  });

  it('returns strings without templates, numbers, booleans and null unchanged', () => {
    expect(preview('plain }} text')).toEqual({ value: 'plain }} text', unresolved: [] });
    expect(preview(5)).toEqual({ value: 5, unresolved: [] });
    expect(preview(true)).toEqual({ value: true, unresolved: [] });
    expect(preview(null)).toEqual({ value: null, unresolved: [] });
    expect(preview(undefined)).toEqual({ value: undefined, unresolved: [] });
  });

  it('walks arrays and objects, collecting every unresolved template in order', () => {
    const value = { id: '{{input.id}}', list: ['{{tasks.a.output}}', 2, { deep: '{{tasks.b.output}}' }], keep: 'x' };
    expect(preview(value)).toEqual({
      value: { id: 'u1', list: ['{{tasks.a.output}}', 2, { deep: '{{tasks.b.output}}' }], keep: 'x' },
      unresolved: ['{{tasks.a.output}}', '{{tasks.b.output}}'],
    });
  });

  it('does not change the value it was given', () => {
    const value = { a: ['{{input.id}}'] };
    preview(value);
    expect(value).toEqual({ a: ['{{input.id}}'] });
  });
});
