import { describe, expect, it } from 'vitest';
import { parseTemplate, TemplateSyntaxError } from './parse.js';

describe('parseTemplate', () => {
  it('marks a string that is exactly one template as whole', () => {
    expect(parseTemplate('{{ input.a }}').whole).toBe(true);
    expect(parseTemplate('x{{ input.a }}').whole).toBe(false);
  });

  it('parses hyphenated step ids, indexes and quoted keys into segments', () => {
    const t = parseTemplate('{{tasks.fetch-user.output.items[2]["a.b"]}}');
    const op = (t.parts[0] as any).operands[0];
    expect(op.root).toBe('tasks');
    expect(op.segments).toEqual(['fetch-user', 'output', 'items', 2, 'a.b']);
  });

  it.each([
    ['{{ input.a', 0, /Unclosed/],
    ['ab {{ }}', 5, /Empty/],
    ['{{ input. }}', 9, /key after '\.'/],
    ['{{ input.a[x] }}', 11, /index or a quoted key/],
    ['{{ input.a == 1 }}', 11, /Unexpected/],
    ['a }} b', 2, /without a matching/],
    ["{{ input['a }}", 0, /Unclosed/],
    ["{{ input['a' ?? 'x }}", 0, /Unclosed/],
  ])('reports %s at offset %i', (text, offset, message) => {
    try {
      parseTemplate(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateSyntaxError);
      expect((e as TemplateSyntaxError).offset).toBe(offset);
      expect((e as Error).message).toMatch(message);
    }
  });

  it('refuses keys that reach object internals', () => {
    expect(() => parseTemplate('{{input.__proto__}}')).toThrow(/cannot be read/);
  });
});
