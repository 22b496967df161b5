import { describe, expect, it } from 'vitest';
import { renderDiffMarkdown } from './markdown.js';
import type { DiffReport, ResourceDiff } from './types.js';

function resource(i: number, overrides: Partial<ResourceDiff> = {}): ResourceDiff {
  return {
    kind: 'WorkflowTask',
    name: `default/task-${String(i).padStart(4, '0')}`,
    change: 'changed',
    location: { file: `tasks/task-${i}.yaml`, line: 3, column: 19 },
    breaking: [],
    fields: [{ path: 'http.url', change: 'changed', before: `http://demo-api/v1/${i}`, after: `http://demo-api/v2/${i}` }],
    contract: [{ contract: 'output', field: 'email', change: 'field-removed', breaking: false, reason: 'Consumers reading it get nothing. No step reads it.', readBy: [] }],
    ...overrides,
  };
}

function report(resources: ResourceDiff[]): DiffReport {
  return {
    summary: { added: 0, removed: 0, changed: resources.length, renamed: 0, unchanged: 3, breakingResources: resources.filter((r) => r.breaking.length).length, breakingChanges: resources.reduce((n, r) => n + r.breaking.length, 0) },
    resources,
  };
}

describe('renderDiffMarkdown', () => {
  it('says so when nothing changed', () => {
    expect(renderDiffMarkdown(report([]))).toBe('## Weft definition changes\n\nNo task or workflow changed (3 unchanged).\n');
  });

  it('lists breaking changes before the table and the sections', () => {
    const md = renderDiffMarkdown(report([resource(1, { breaking: ['output email: field-removed — Read by default/w/s.'] }), resource(2)]));
    expect(md).toContain('**⚠️ 1 breaking change** in 1 resource.');
    const breakingAt = md.indexOf('### ⚠️ Breaking changes');
    const tableAt = md.indexOf('### Changed resources');
    const sectionAt = md.indexOf('### Task `default/task-0001`');
    expect(breakingAt).toBeGreaterThan(0);
    expect(breakingAt).toBeLessThan(tableAt);
    expect(tableAt).toBeLessThan(sectionAt);
    expect(md).toContain('- **Task `default/task-0001`**: output email: field-removed — Read by default/w/s.');
    expect(md).toContain('| Task | `default/task-0001` | 🟡 changed | ⚠️ 1 | `tasks/task-1.yaml:3` |');
  });

  it('puts a workflow graph in a mermaid block', () => {
    const md = renderDiffMarkdown(report([resource(1, { kind: 'Workflow', steps: [{ id: 'a', change: 'added', fields: [] }], mermaid: 'flowchart LR\n  s0["a"]:::added' })]));
    expect(md).toContain('```mermaid\nflowchart LR\n  s0["a"]:::added\n```');
  });

  it('escapes pipes inside table cells', () => {
    const md = renderDiffMarkdown(report([resource(1, { fields: [{ path: 'transform.expression', change: 'changed', before: 'a | b', after: 'c' }] })]));
    expect(md).toContain('`a \\| b`');
  });

  it('stays under maxChars and says exactly what it left out', () => {
    const many = report(Array.from({ length: 2000 }, (_, i) => resource(i)));
    const prefix = '<!-- weft-diff -->\n';
    const md = renderDiffMarkdown(many, { maxChars: 65_536, prefix, fullReportHint: 'The job summary has the full report.' });
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md.startsWith(prefix)).toBe(true);
    const rows = md.split('\n').filter((l) => l.startsWith('| Task | `default/task-')).length;
    expect(rows).toBeGreaterThan(100);
    expect(rows).toBeLessThan(2000);
    expect(md).toContain(`**Truncated to fit 65,536 characters.** Not shown: ${2000 - rows} of 2000 table rows; 2000 of 2000 resource sections. The job summary has the full report.`);
  });

  it('is not truncated when everything fits', () => {
    const md = renderDiffMarkdown(report([resource(1)]), { maxChars: 65_536 });
    expect(md).not.toContain('Truncated');
    expect(md).toContain('<details><summary>1 field change</summary>');
  });
});
