import { describe, expect, it } from 'vitest';
import { scanTemplates, templateUses, wholePath } from './templates.js';

describe('scanTemplates', () => {
  it('finds template strings at any depth with their pointers, keeping syntax errors as values', () => {
    const found = scanTemplates({ a: ['x', '{{ input.a }}'], 'b/c': { d: '{{ input. }}' }, e: 'a }} b', n: 1 }, '/spec/tasks/0/input');
    expect(found.map((t) => [t.pointer, Boolean(t.parsed), t.error?.offset])).toEqual([
      ['/spec/tasks/0/input/a/1', true, undefined],
      ['/spec/tasks/0/input/b~1c/d', false, 9],
      ['/spec/tasks/0/input/e', false, 2],
    ]);
  });
});

describe('templateUses and wholePath', () => {
  it('lists every path with whether a fallback follows it', () => {
    const [t] = scanTemplates('{{ tasks.a.output ?? input.b }} and {{ input.c }}', '/x');
    expect(templateUses([t]).map((u) => [u.path.text, u.hasFallback])).toEqual([
      ['tasks.a.output', true],
      ['input.b', false],
      ['input.c', false],
    ]);
  });

  it('returns the path of a string that is exactly one template without fallback', () => {
    expect(wholePath(scanTemplates('{{ input.a }}', '/x')[0])?.text).toBe('input.a');
    expect(wholePath(scanTemplates('{{ input.a ?? 1 }}', '/x')[0])).toBeUndefined();
    expect(wholePath(scanTemplates('id {{ input.a }}', '/x')[0])).toBeUndefined();
  });
});
