import { describe, expect, it } from 'vitest';
import { loadText } from '../load/index.js';
import { TemplateSyntaxError } from '../template/parse.js';
import { Findings } from './context.js';
import { reportTemplateSyntax, scanTemplates, templateUses, wholePath, type TemplateString } from './templates.js';

describe('scanTemplates', () => {
  it('finds template strings at any depth with their pointers, keeping syntax errors as values', () => {
    const found = scanTemplates({ a: ['x', '{{ input.a }}'], 'b/c': { d: '{{ input. }}' }, e: 'a }} b', n: 1 }, '/spec/tasks/0/input');
    expect(found.map((t) => [t.pointer, Boolean(t.parsed), t.error?.offset])).toEqual([
      ['/spec/tasks/0/input/a/1', true, undefined],
      ['/spec/tasks/0/input/b~1c/d', false, 9],
      ['/spec/tasks/0/input/e', false, 2],
    ]);
  });

  it('keeps the text of each string and skips null, numbers and booleans', () => {
    const found = scanTemplates({ a: null, b: [true, 2, '{{ input.a'], c: 'plain' }, '/spec');
    expect(found).toEqual([{ pointer: '/spec/b/2', text: '{{ input.a', error: expect.any(TemplateSyntaxError) }]);
  });

  it('scans a bare string at the pointer itself', () => {
    expect(scanTemplates('{{ input.id }}', '/spec/http/url').map((t) => [t.pointer, t.text])).toEqual([['/spec/http/url', '{{ input.id }}']]);
  });

  it('finds nothing in a value without braces', () => {
    expect(scanTemplates({ a: 'x', b: ['{ y }'] }, '/spec')).toEqual([]);
  });
});

describe('templateUses and wholePath', () => {
  it('lists every path with whether a fallback follows it', () => {
    const [t] = scanTemplates('{{ tasks.a.output ?? input.b }} and {{ input.c }}', '/x');
    expect(templateUses([t]).map((u) => [u.path.text, u.hasFallback, u.string])).toEqual([
      ['tasks.a.output', true, t],
      ['input.b', false, t],
      ['input.c', false, t],
    ]);
  });

  it('skips literals and strings that did not parse', () => {
    const strings = scanTemplates(['{{ input.a ?? "none" }}', '{{ input. }}', '{{ 3 }}'], '/x');
    expect(templateUses(strings).map((u) => [u.path.text, u.hasFallback])).toEqual([['input.a', true]]);
  });

  it('returns the path of a string that is exactly one template without fallback', () => {
    expect(wholePath(scanTemplates('{{ input.a }}', '/x')[0])?.text).toBe('input.a');
    expect(wholePath(scanTemplates('{{ input.a ?? 1 }}', '/x')[0])).toBeUndefined();
    expect(wholePath(scanTemplates('{{ input.a ?? input.b }}', '/x')[0])).toBeUndefined();
    expect(wholePath(scanTemplates('id {{ input.a }}', '/x')[0])).toBeUndefined();
    expect(wholePath(scanTemplates('{{ 3 }}', '/x')[0])).toBeUndefined();
    expect(wholePath(scanTemplates('{{ input. }}', '/x')[0])).toBeUndefined();
    expect(wholePath(undefined)).toBeUndefined();
  });
});

describe('reportTemplateSyntax', () => {
  const text = [
    'apiVersion: workflow.io/v1',
    'kind: WorkflowTask',
    'metadata: { name: t }',
    'spec:',
    '  type: http',
    '  http:',
    '    url: https://x.example.com',
    '    headers:',
    '      a: x }} y',
    '      b: "{{ input. }}"',
    '      c: "{{ input.ok }}"',
  ].join('\n');

  function report(strings: TemplateString[]) {
    const findings = new Findings(loadText(text, 't.yaml').resources[0].resource);
    reportTemplateSyntax(findings, strings, (t) => `Header ${t.pointer.split('/').pop()}`);
    return findings.diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: d.line, column: d.column, message: d.message, hint: d.hint }));
  }

  it('warns about a stray close and reports a syntax error at its column, skipping strings that parsed', () => {
    const strings = scanTemplates({ a: 'x }} y', b: '{{ input. }}', c: '{{ input.ok }}' }, '/spec/http/headers');
    expect(report(strings)).toEqual([
      { code: 'WF_TEMPLATE_STRAY_CLOSE', severity: 'warning', line: 9, column: 12, message: "Header a: '}}' without a matching '{{'; the text is used as written", hint: "Open the template with '{{' or remove the stray braces." },
      { code: 'WF_TEMPLATE_SYNTAX', severity: 'error', line: 10, column: 20, message: "Header b: Expected a key after '.' in {{ input. }}", hint: 'Remove the trailing dot or add a key.' },
    ]);
  });

  it('gives a hint of its own when the error has none', () => {
    const strings: TemplateString[] = [
      { pointer: '/spec/http/headers/a', text: 'x }} y', error: new TemplateSyntaxError('stray', 2) },
      { pointer: '/spec/http/headers/b', text: '{{ input. }}', error: new TemplateSyntaxError('bad', 9) },
    ];
    expect(report(strings).map((d) => d.hint)).toEqual(["Open the template with '{{'.", 'Fix the template syntax.']);
  });
});
