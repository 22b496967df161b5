import { describe, expect, it } from 'vitest';
import { hasTemplate, parseTemplate, TEMPLATE_ROOTS, templatePaths, TemplateSyntaxError, type TemplateExpression } from './parse.js';

/** The only expression of a string that is exactly one template. */
function expression(text: string): TemplateExpression {
  const t = parseTemplate(text);
  expect(t.whole).toBe(true);
  return t.parts[0] as TemplateExpression;
}

function syntaxError(text: string): TemplateSyntaxError {
  try {
    parseTemplate(text);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateSyntaxError);
    return e as TemplateSyntaxError;
  }
  return expect.unreachable(`'${text}' parsed`);
}

describe('hasTemplate', () => {
  it('is true only for strings that open a template', () => {
    expect(hasTemplate('id {{ input.id }}')).toBe(true);
    expect(hasTemplate('{{')).toBe(true);
    expect(hasTemplate('plain text { with } braces }}')).toBe(false);
    expect(hasTemplate('')).toBe(false);
  });
});

describe('TEMPLATE_ROOTS', () => {
  it('lists the scopes a template path may start with', () => {
    expect(TEMPLATE_ROOTS).toEqual(['input', 'tasks', 'forEach', 'workflow', 'execution', 'secrets']);
  });
});

describe('parseTemplate', () => {
  it('marks a string that is exactly one template as whole', () => {
    expect(parseTemplate('{{ input.a }}').whole).toBe(true);
    expect(parseTemplate('x{{ input.a }}').whole).toBe(false);
  });

  it('leaves a string without templates as one literal part', () => {
    expect(parseTemplate('abc')).toEqual({ parts: ['abc'], whole: false });
    expect(parseTemplate('')).toEqual({ parts: [], whole: false });
  });

  it('splits literal text and templates, with the text and offset of each template', () => {
    const t = parseTemplate('id {{ input.id }}, name {{input.name}}!');
    expect(t.whole).toBe(false);
    expect(t.parts).toEqual([
      'id ',
      { text: '{{ input.id }}', offset: 3, operands: [{ kind: 'path', root: 'input', segments: ['id'], text: 'input.id', offset: 6 }] },
      ', name ',
      { text: '{{input.name}}', offset: 24, operands: [{ kind: 'path', root: 'input', segments: ['name'], text: 'input.name', offset: 26 }] },
      '!',
    ]);
  });

  it('adds no empty literal between adjacent templates', () => {
    const t = parseTemplate('{{ input.a }}{{ input.b }}');
    expect(t.whole).toBe(false);
    expect(t.parts.map((p) => (typeof p === 'string' ? p : p.text))).toEqual(['{{ input.a }}', '{{ input.b }}']);
    expect((t.parts[1] as TemplateExpression).offset).toBe(13);
  });

  it('parses hyphenated step ids, indexes and quoted keys into segments', () => {
    const t = parseTemplate('{{tasks.fetch-user.output.items[2]["a.b"]}}');
    const op = (t.parts[0] as any).operands[0];
    expect(op.root).toBe('tasks');
    expect(op.segments).toEqual(['fetch-user', 'output', 'items', 2, 'a.b']);
  });

  it('accepts letters, digits, _, $ and - in names, and digits after a dot as a key', () => {
    expect(expression('{{ $x._y-z.A9.0 }}').operands).toEqual([{ kind: 'path', root: '$x', segments: ['_y-z', 'A9', '0'], text: '$x._y-z.A9.0', offset: 3 }]);
    expect(expression('{{ _Root }}').operands[0]).toMatchObject({ kind: 'path', root: '_Root', segments: [] });
  });

  it('allows spaces inside brackets and around the expression', () => {
    expect(expression('{{\tinput.a[ 12 ][  "k" ]\n}}').operands).toEqual([
      { kind: 'path', root: 'input', segments: ['a', 12, 'k'], text: 'input.a[ 12 ][  "k" ]', offset: 3 },
    ]);
  });

  it("reads quoted keys with either quote, skipping '}}' inside them and unescaping", () => {
    expect(expression('{{ input["a}}b"] }}').operands[0]).toMatchObject({ segments: ['a}}b'] });
    expect(expression("{{ input['it\\'s'] }}").operands[0]).toMatchObject({ segments: ["it's"], text: "input['it\\'s']" });
  });

  it('reads a path followed by fallbacks of every literal kind', () => {
    const e = expression(`{{ input.a ?? input.b ?? 'x' ?? "y" ?? -12.5e+3 ?? 7 ?? true ?? false ?? null ?? [ ] ?? {} }}`);
    expect(e.operands.map((o) => [o.kind, o.kind === 'literal' ? o.value : o.text, o.text, o.offset])).toEqual([
      ['path', 'input.a', 'input.a', 3],
      ['path', 'input.b', 'input.b', 14],
      ['literal', 'x', "'x'", 25],
      ['literal', 'y', '"y"', 32],
      ['literal', -12500, '-12.5e+3', 39],
      ['literal', 7, '7', 51],
      ['literal', true, 'true', 56],
      ['literal', false, 'false', 64],
      ['literal', null, 'null', 73],
      ['literal', [], '[ ]', 81],
      ['literal', {}, '{}', 88],
    ]);
  });

  it.each([
    ['12', 12],
    ['-3', -3],
    ['1.25', 1.25],
    ['2e3', 2000],
    ['2E-2', 0.02],
    ['1e+2', 100],
    ['2e10', 2e10],
  ])('reads the number %s', (text, value) => {
    expect(expression(`{{ input.a ?? ${text} }}`).operands[1]).toEqual({ kind: 'literal', value, text, offset: 14 });
  });

  it.each([
    ['[]', []],
    ['[  ]', []],
    ['{}', {}],
    ['{ }', {}],
  ])('reads the empty literal %s', (text, value) => {
    expect(expression(`{{ input.a ?? ${text} }}`).operands[1]).toEqual({ kind: 'literal', value, text, offset: 14 });
  });

  it('reads a keyword at the very end of the template', () => {
    expect(expression('{{input.a??true}}').operands[1]).toEqual({ kind: 'literal', value: true, text: 'true', offset: 11 });
  });

  it('treats a name that only starts with a keyword as a path', () => {
    expect(expression('{{ nullable.x }}').operands[0]).toMatchObject({ kind: 'path', root: 'nullable', segments: ['x'] });
    expect(expression('{{ input.a ?? true-ish }}').operands[1]).toMatchObject({ kind: 'path', root: 'true-ish' });
  });

  it('unescapes \\n and \\t in string literals and keeps other escaped characters', () => {
    expect(expression("{{ 'a\\nb\\tc\\qd\\\\' }}").operands[0]).toMatchObject({ kind: 'literal', value: 'a\nb\tcqd\\' });
    expect(expression("{{ 'n and t' }}").operands[0]).toMatchObject({ value: 'n and t' });
  });

  it("keeps a stray '}}' as text when the string also holds a template", () => {
    expect(parseTemplate('x {{ input.a }} }}').parts[2]).toBe(' }}');
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

  it('describes each syntax error with a code, a message, an offset and a hint', () => {
    const cases: Array<[string, string, number, string]> = [
      ['The quick brown fox {{ input.a', "Unclosed template '{{ input.a'", 20, "Close it with '}}'."],
      ['{{ input.abcdefghijklmnopqrstuvwxyz.abcdefghijklmnopqrstuvwxyz', "Unclosed template '{{ input.abcdefghijklmnopqrstuvwxyz.abcd'", 0, "Close it with '}}'."],
      ['{{ a {{ b }}', "Unclosed template '{{ a {{ b }}'", 0, "Close it with '}}'."],
      ['x {{ \t }}', 'Empty template {{ }}', 4, 'Write a path such as {{ input.id }}.'],
      ['}} a', "'}}' without a matching '{{'", 0, "Open the template with '{{' or remove the stray braces."],
      [
        '{{ input.a == 1 and more }}',
        "Unexpected '== 1 and m' in template {{ input.a == 1 and more }}",
        11,
        "A template is a path, optionally followed by '?? fallback'. Conditions go in condition.if.",
      ],
      ['{{ input.a ?? }}', "Expected a path or a literal at '' in {{ input.a ?? }}", 14, 'Paths start with input, tasks or forEach.'],
      ['{{ input.a ?? #comment-here }}', "Expected a path or a literal at '#comment-h' in {{ input.a ?? #comment-here }}", 14, 'Paths start with input, tasks or forEach.'],
      ['{{input.}}', "Expected a key after '.' in {{input.}}", 8, 'Remove the trailing dot or add a key.'],
      ['{{ input.a[ ] }}', 'Expected an index or a quoted key inside [ ] in {{ input.a[ ] }}', 12, 'Use [0] or ["key.with.dots"].'],
      ['{{ input.a[0 }}', "Expected ']' in {{ input.a[0 }}", 13, "Close the index with ']'."],
      ["{{ input['k' }}", "Expected ']' in {{ input['k' }}", 13, "Close the index with ']'."],
    ];
    for (const [text, message, offset, hint] of cases) {
      const e = syntaxError(text);
      expect({ text, code: e.code, name: e.name, message: e.message, offset: e.offset, hint: e.hint }).toEqual({
        text,
        code: 'WF_TEMPLATE_SYNTAX',
        name: 'TemplateSyntaxError',
        message,
        offset,
        hint,
      });
    }
  });

  it('rejects a triple-brace (Handlebars raw) template at its third brace', () => {
    const e = syntaxError('{{{ input.a }}}');
    expect(e.message).toBe("Expected a path or a literal at '{ input.a ' in {{{ input.a }}");
    expect(e.offset).toBe(2);
  });

  it('rejects a negative index', () => {
    expect(syntaxError('{{ input.a[-1] }}').offset).toBe(11);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s, which reaches object internals', (key) => {
    for (const text of [`{{ input.a.${key} }}`, `{{ input["${key}"] }}`]) {
      const e = syntaxError(text);
      expect(e.message).toBe(`The key '${key}' cannot be read in a template`);
      expect(e.offset).toBe(3);
      expect(e.hint).toBe('Rename the field.');
    }
  });
});

describe('templatePaths', () => {
  it('lists every path of every template, in order, without literals', () => {
    const t = parseTemplate("a {{ input.x ?? 'd' }} b {{ tasks.s.output ?? input.y }} {{ 1 }}");
    expect(templatePaths(t).map((p) => p.text)).toEqual(['input.x', 'tasks.s.output', 'input.y']);
  });

  it('is empty for a string without templates', () => {
    expect(templatePaths(parseTemplate('plain'))).toEqual([]);
  });
});
