import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../model/diagnostic.js';
import { annotationCommand, annotationCommands, diagnosticsSummaryMarkdown, formatGithub, selectAnnotations } from './github.js';

const d = (severity: Diagnostic['severity'], i: number, extra: Partial<Diagnostic> = {}): Diagnostic => ({ code: `WF_${severity.toUpperCase()}`, severity, message: `${severity} ${i}`, file: `f${String(i).padStart(2, '0')}.yaml`, line: i + 1, column: 2, ...extra });

describe('annotationCommand', () => {
  it('writes file, line, col and the code as title, with the hint on the next line', () => {
    expect(annotationCommand({ code: 'WF_X', severity: 'error', message: 'bad', hint: 'fix it', file: 'a.yaml', line: 3, column: 5 })).toBe('::error file=a.yaml,line=3,col=5,title=WF_X::bad%0Afix it');
  });

  it('escapes property and message characters the way the toolkit does', () => {
    expect(annotationCommand({ code: 'WF_X', severity: 'info', message: '50% done\r\n', file: 'a,b:c.yaml' })).toBe('::notice file=a%2Cb%3Ac.yaml,title=WF_X::50%25 done%0D%0A');
  });
});

describe('selectAnnotations', () => {
  it('keeps at most ten of each type and sends the rest to the summary', () => {
    const list = [...Array.from({ length: 12 }, (_, i) => d('warning', i)), ...Array.from({ length: 11 }, (_, i) => d('error', i)), d('info', 0)];
    const { annotated, summaryOnly } = selectAnnotations(list);
    expect(annotated.filter((x) => x.severity === 'error')).toHaveLength(10);
    expect(annotated.filter((x) => x.severity === 'warning')).toHaveLength(10);
    expect(annotated.filter((x) => x.severity === 'info')).toHaveLength(1);
    expect(summaryOnly.map((x) => x.message)).toEqual(['error 10', 'warning 10', 'warning 11']);
  });

  it('puts errors first and located diagnostics before unlocated ones', () => {
    const unlocated: Diagnostic = { code: 'WF_LOAD_PATH', severity: 'error', message: 'no file' };
    const { annotated } = selectAnnotations([d('warning', 0), unlocated, d('error', 5)], 10);
    expect(annotated.map((x) => x.message)).toEqual(['error 5', 'no file', 'warning 0']);
  });
});

describe('annotationCommands', () => {
  it('prints one command per annotated diagnostic', () => {
    const out = annotationCommands(Array.from({ length: 15 }, (_, i) => d('error', i)));
    expect(out.split('\n').filter(Boolean)).toHaveLength(10);
    expect(out.startsWith('::error file=f00.yaml,line=1,col=2,title=WF_ERROR::error 0\n')).toBe(true);
  });
});

describe('diagnosticsSummaryMarkdown', () => {
  it('lists every diagnostic in a table and says how many are not annotated', () => {
    const md = diagnosticsSummaryMarkdown(Array.from({ length: 12 }, (_, i) => d('error', i)), { files: 3 });
    expect(md).toContain('12 errors, 0 warnings, 0 notices in 3 files.');
    expect(md).toContain('GitHub shows at most 10 annotations of each type; 2 diagnostics are listed only below.');
    expect(md.split('\n').filter((l) => l.startsWith('| error |'))).toHaveLength(12);
    expect(md).toContain('| error | `f11.yaml:12:2` | `WF_ERROR` | error 11 |  |');
  });

  it('says every definition is valid when there is nothing to report', () => {
    expect(diagnosticsSummaryMarkdown([], { files: 2 })).toBe('## Weft validation\n\n0 errors, 0 warnings, 0 notices in 2 files.\n\nEvery definition is valid.\n');
  });

  it('cuts the table to the size limit and says how many rows are missing', () => {
    const md = diagnosticsSummaryMarkdown(Array.from({ length: 100 }, (_, i) => d('error', i)), { maxChars: 2000 });
    expect(md.length).toBeLessThanOrEqual(2000);
    const rows = md.split('\n').filter((l) => l.startsWith('| error |')).length;
    expect(md).toContain(`${100 - rows} more diagnostics are not shown`);
  });
});

describe('formatGithub', () => {
  it('annotates ten per type and prints the rest as plain lines so none is lost', () => {
    const out = formatGithub(Array.from({ length: 12 }, (_, i) => d('error', i)));
    const lines = out.split('\n').filter(Boolean);
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(10);
    expect(lines.slice(10)).toEqual(['2 more diagnostics (GitHub shows 10 annotations of each type):', 'f10.yaml:11:2 error WF_ERROR error 10', 'f11.yaml:12:2 error WF_ERROR error 11']);
  });
});
