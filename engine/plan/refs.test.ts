import { describe, expect, it } from 'vitest';
import type { StepSpec } from '../model/types.js';
import { referencedSteps, stepReferences } from './refs.js';

/** The references of a step as `pointer text-of-path fallback?`, easy to read in a test. */
const refs = (step: StepSpec, options?: { nested?: boolean }): string[] =>
  stepReferences(step, options).map((r) => `${r.pointer} ${r.path.text}${r.hasFallback ? ' ??' : ''}`);

describe('stepReferences', () => {
  it('finds paths in input, condition, switch and forEach, in that order, with the pointer of each string', () => {
    const step: StepSpec = {
      id: 's',
      forEach: { items: '{{input.items}}', itemVar: 'x' },
      switch: { value: '{{forEach.x.kind}}', cases: [{ match: 'a', taskRef: 't', input: { v: '{{tasks.a.output}}' } }] },
      condition: { if: '{{input.go}} == true' },
      input: { list: ['plain', '{{input.first}}'], deep: { key: 'n={{input.n}}' } },
    };
    expect(refs(step)).toEqual([
      '/input/list/1 input.first',
      '/input/deep/key input.n',
      '/condition/if input.go',
      '/switch/value forEach.x.kind',
      '/switch/cases/0/input/v tasks.a.output',
      '/forEach/items input.items',
    ]);
  });

  it('does not look at dependsOn, taskRef or other fields', () => {
    expect(refs({ id: '{{tasks.x}}', taskRef: '{{input.t}}', dependsOn: ['{{tasks.y.output}}'], timeout: '{{input.t}}' })).toEqual([]);
  });

  it('marks every path that has a fallback after it, and skips literals', () => {
    const [first, second] = stepReferences({ id: 's', input: { v: "{{ input.a ?? tasks.b.output ?? 'none' }}" } });
    expect(first).toMatchObject({ path: { root: 'input', segments: ['a'] }, pointer: '/input/v', hasFallback: true });
    expect(second).toMatchObject({ path: { root: 'tasks', segments: ['b', 'output'] }, hasFallback: true });
    expect(stepReferences({ id: 's', input: { v: "{{ 'x' ?? input.a }}" } }).map((r) => r.hasFallback)).toEqual([false]);
  });

  it('keeps the whole string that holds a reference, for column arithmetic', () => {
    const [r] = stepReferences({ id: 's', input: { msg: 'Hello {{ input.name }}!' } });
    expect(r.text).toBe('Hello {{ input.name }}!');
    expect(r.path.offset).toBe(9);
  });

  it('finds every template of a string with several', () => {
    expect(refs({ id: 's', input: { u: '{{input.a}}/{{tasks.b.output.c}}' } })).toEqual(['/input/u input.a', '/input/u tasks.b.output.c']);
  });

  it('skips strings that do not parse (the validator reports them) and strings without templates', () => {
    expect(refs({ id: 's', input: { bad: '{{ input.a', stray: 'a }}', ok: '{{input.b}}', n: 3, none: null } })).toEqual(['/input/ok input.b']);
  });

  it('skips fields left undefined or null in a step built in code', () => {
    const step: StepSpec = {
      id: 's',
      input: { a: null, b: undefined, c: '{{input.c}}' },
      switch: { value: '{{input.v}}', cases: [], default: undefined },
      condition: undefined,
      tasks: undefined,
    };
    expect(refs(step)).toEqual(['/input/c input.c', '/switch/value input.v']);
  });

  it('escapes keys in pointers', () => {
    expect(refs({ id: 's', input: { 'a/b': { '~c': '{{input.x}}' } } })).toEqual(['/input/a~1b/~0c input.x']);
  });

  it('includes the references of inline nested steps unless told not to', () => {
    const step: StepSpec = { id: 'g', input: { a: '{{input.a}}' }, tasks: [{ id: 'inner', taskRef: 't', input: { b: '{{tasks.other.output}}' } }] };
    expect(refs(step)).toEqual(['/input/a input.a', '/tasks/0/input/b tasks.other.output']);
    expect(refs(step, { nested: true })).toEqual(['/input/a input.a', '/tasks/0/input/b tasks.other.output']);
    expect(refs(step, { nested: false })).toEqual(['/input/a input.a']);
  });
});

describe('referencedSteps', () => {
  it('lists the step ids read through tasks.<id>, once each, in order of first use', () => {
    const step: StepSpec = {
      id: 's',
      input: { a: '{{tasks.fetch.output.a}}', b: '{{tasks.other.status}}', c: '{{tasks.fetch.output.c}}', d: '{{input.tasks}}' },
      condition: { if: '{{tasks.gate.output.ok}} == true' },
    };
    expect(referencedSteps(step)).toEqual(['fetch', 'other', 'gate']);
  });

  it('ignores a bare {{tasks}} and reads ids of nested steps too', () => {
    expect(referencedSteps({ id: 's', input: { all: '{{tasks}}' } })).toEqual([]);
    expect(referencedSteps({ id: 'g', tasks: [{ id: 'inner', taskRef: 't', input: { v: '{{tasks["load-data"].output}}' } }] })).toEqual(['load-data']);
  });
});
