import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../model/diagnostic.js';
import { formatDiagnostics, isReportFormat, REPORT_FORMATS, summarize } from './index.js';

const cycle: Diagnostic = {
  code: 'WF_CYCLE',
  severity: 'error',
  message: 'Steps wait for each other: a -> b -> a',
  hint: 'Remove one of the dependencies.',
  file: 'workflows/loop.yaml',
  line: 12,
  column: 7,
};
const unknownInput: Diagnostic = {
  code: 'WF_STEP_UNKNOWN_INPUT',
  severity: 'warning',
  message: "Input 'extra' is not declared",
  file: 'workflows/a.yaml',
  line: 3,
  column: 5,
};

describe('formatDiagnostics text', () => {
  it('prints file:line:col severity code message, the hint below, sorted by file', () => {
    expect(formatDiagnostics([cycle, unknownInput], 'text', { files: 2 })).toBe(
      [
        "workflows/a.yaml:3:5 warning WF_STEP_UNKNOWN_INPUT Input 'extra' is not declared",
        'workflows/loop.yaml:12:7 error WF_CYCLE Steps wait for each other: a -> b -> a',
        '  hint: Remove one of the dependencies.',
        '1 error, 1 warning in 2 files',
        '',
      ].join('\n'),
    );
  });

  it('prints only the summary when there is nothing to report', () => {
    expect(formatDiagnostics([], 'text', { files: 1 })).toBe('0 errors, 0 warnings in 1 file\n');
  });

  it('uses the JSON pointer when a diagnostic has no file', () => {
    const out = formatDiagnostics([{ code: 'WF_INPUT_INVALID', severity: 'error', message: 'input.userId is required', pointer: '/input/userId' }], 'text');
    expect(out.split('\n')[0]).toBe('/input/userId error WF_INPUT_INVALID input.userId is required');
  });
});

describe('formatDiagnostics json', () => {
  it('returns the diagnostics and a summary', () => {
    expect(JSON.parse(formatDiagnostics([cycle], 'json', { files: 4 }))).toEqual({
      diagnostics: [cycle],
      summary: { errors: 1, warnings: 0, infos: 0, files: 4 },
    });
  });
});

describe('formatDiagnostics github', () => {
  it('writes one workflow command per diagnostic with file, line, col and the code as title', () => {
    expect(formatDiagnostics([cycle], 'github')).toBe(
      '::error file=workflows/loop.yaml,line=12,col=7,title=WF_CYCLE::Steps wait for each other: a -> b -> a%0ARemove one of the dependencies.\n',
    );
  });

  it('maps warnings to ::warning and infos to ::notice', () => {
    const out = formatDiagnostics([unknownInput, { ...unknownInput, severity: 'info', code: 'WF_TASK_DYNAMIC_ORIGIN' }], 'github');
    expect(out.split('\n').map((l) => l.split(' ')[0])).toEqual(['::warning', '::notice', '']);
  });

  it('escapes commas and colons in properties and newlines and percent signs in the message', () => {
    const out = formatDiagnostics([{ code: 'WF_X', severity: 'error', message: '100% a\nb', file: 'dir,x/a:b.yaml', line: 1, column: 2 }], 'github');
    expect(out).toBe('::error file=dir%2Cx/a%3Ab.yaml,line=1,col=2,title=WF_X::100%25 a%0Ab\n');
  });
});

describe('report formats', () => {
  it('lists text, json, github and sarif and recognises only those', () => {
    expect(REPORT_FORMATS).toEqual(['text', 'json', 'github', 'sarif']);
    expect(isReportFormat('github')).toBe(true);
    expect(isReportFormat('toString')).toBe(false);
  });

  it('counts files from the diagnostics when the caller does not say', () => {
    expect(summarize([cycle, unknownInput, { ...cycle, line: 20 }])).toEqual({ errors: 2, warnings: 1, infos: 0, files: 2 });
  });
});
