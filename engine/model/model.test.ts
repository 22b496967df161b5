import { describe, expect, it } from 'vitest';
import { canonicalJson, resourceVersion } from './canonical.js';
import { formatDiagnostic, hasErrors, sortDiagnostics } from './diagnostic.js';
import { formatDuration, parseDuration } from './duration.js';
import { didYouMean, editDistance, nearest } from './suggest.js';

describe('canonical form', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined, e: null }] })).toBe('{"a":[{"d":2,"e":null}],"b":1}');
  });

  it('gives the same version whatever the key order, and another for another spec', () => {
    const a = { apiVersion: 'workflow.io/v1', kind: 'Workflow' as const, metadata: { name: 'w', namespace: 'default' }, spec: { tasks: [], x: 1, y: 2 } };
    const b = { ...a, spec: { y: 2, tasks: [], x: 1 } };
    expect(resourceVersion(a as any)).toBe(resourceVersion(b as any));
    expect(resourceVersion(a as any)).toMatch(/^[0-9a-f]{64}$/);
    expect(resourceVersion({ ...a, spec: { tasks: [], x: 2, y: 2 } } as any)).not.toBe(resourceVersion(a as any));
  });

  it('ignores annotations and server fields but not labels', () => {
    const a = { apiVersion: 'workflow.io/v1', kind: 'Workflow' as const, metadata: { name: 'w', namespace: 'default' }, spec: {} };
    expect(resourceVersion({ ...a, metadata: { ...a.metadata, annotations: { x: 'y' } } } as any)).toBe(resourceVersion(a as any));
    expect(resourceVersion({ ...a, metadata: { ...a.metadata, labels: { x: 'y' } } } as any)).not.toBe(resourceVersion(a as any));
  });
});

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1m30s', 90_000],
    [42, 42],
  ])('reads %s as %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5', 'five seconds', '5 s', '-1s', 's'])('refuses %j', (text) => expect(parseDuration(text)).toBeUndefined());

  it('refuses negative and non-finite numbers and other types', () => {
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(Infinity)).toBeUndefined();
    expect(parseDuration(null)).toBeUndefined();
  });

  it('formats durations for people', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(1234)).toBe('1.2s');
    expect(formatDuration(180_000)).toBe('3m');
  });
});

describe('suggestions', () => {
  it('measures edit distance and stops past the bound', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
  });

  it('suggests the closest names, best first', () => {
    expect(nearest('fetch-usr', ['fetch-user', 'fetch-users', 'charge'])).toEqual(['fetch-user', 'fetch-users']);
    expect(nearest('zzz', ['fetch-user'])).toEqual([]);
    expect(didYouMean('chrage', ['charge'])).toBe(" Did you mean 'charge'?");
    expect(didYouMean('zzz', ['charge'])).toBe('');
  });
});

describe('diagnostics', () => {
  it('prints file:line:col severity code message and hint', () => {
    expect(formatDiagnostic({ code: 'WF_X', severity: 'error', message: 'bad', hint: 'fix it', file: 'a.yaml', line: 3, column: 5 })).toBe('a.yaml:3:5 error WF_X bad (hint: fix it)');
    expect(formatDiagnostic({ code: 'WF_X', severity: 'warning', message: 'bad', pointer: '/input/a' })).toBe('/input/a warning WF_X bad');
  });

  it('sorts by file, line, column, then errors first', () => {
    const list = sortDiagnostics([
      { code: 'B', severity: 'warning', message: '', file: 'a', line: 2, column: 1 },
      { code: 'A', severity: 'error', message: '', file: 'a', line: 2, column: 1 },
      { code: 'C', severity: 'error', message: '', file: 'a', line: 1, column: 9 },
    ]);
    expect(list.map((d) => d.code)).toEqual(['C', 'A', 'B']);
    expect(hasErrors(list)).toBe(true);
    expect(hasErrors([list[2]])).toBe(false);
  });
});
