import { describe, expect, it } from 'vitest';
import type { StepTrace } from '../run/trace.js';
import { flattenTrace, rebuildTrace } from './rows.js';

const step = (id: string, extra: Partial<StepTrace> = {}): StepTrace => ({ id, kind: 'task', status: 'succeeded', ...extra });

describe('flattenTrace', () => {
  it('names forEach items by index and their nested steps by dotted path', () => {
    const trace = [step('process', { kind: 'forEach', children: [step('process[0]', { index: 0, kind: 'group', children: [step('charge')] }), step('process[1]', { index: 1, kind: 'group', children: [step('charge')] })] })];
    expect(flattenTrace('e', trace).map((r) => [r.seq, r.parent_seq, r.path])).toEqual([
      [0, null, 'process'],
      [1, 0, 'process[0]'],
      [2, 1, 'process[0].charge'],
      [3, 0, 'process[1]'],
      [4, 3, 'process[1].charge'],
    ]);
  });

  it('puts a child run steps under the calling step', () => {
    const trace = [step('enrich', { kind: 'workflow', executionId: 'c1', workflowRef: 'child', children: [step('lookup'), step('score')] })];
    expect(flattenTrace('e', trace).map((r) => r.path)).toEqual(['enrich', 'enrich.lookup', 'enrich.score']);
  });

  it('keeps every attempt on the step and the last attempt number', () => {
    const attempts = [
      { attempt: 1, startedAt: 1, durationMs: 2, httpStatus: 503, error: { type: 'http' as const, code: 'WF_HTTP_STATUS', message: 'HTTP 503 from https://u:p@h/x' } },
      { attempt: 2, startedAt: 4, durationMs: 1, httpStatus: 200, backoffMs: 1 },
    ];
    const [row] = flattenTrace('e', [step('a', { attempts })]);
    expect(row.attempt).toBe(2);
    expect(JSON.parse(row.attempts!)).toEqual([{ ...attempts[0], error: { ...attempts[0].error, message: 'HTTP 503 from https://***@h/x' } }, attempts[1]]);
  });

  it('masks secrets in step errors', () => {
    const trace = [step('a', { status: 'failed', error: { type: 'network', code: 'WF_NETWORK', message: 'https://u:p@h/x failed' } })];
    expect(JSON.parse(flattenTrace('e', trace)[0].error!).message).toBe('https://***@h/x failed');
  });
});

describe('rebuildTrace', () => {
  it('restores empty children and attempt lists and leaves absent fields absent', () => {
    const trace = [step('empty', { kind: 'forEach', children: [] }), step('mocked', { attempts: [] }), step('plain')];
    expect(rebuildTrace(flattenTrace('e', trace))).toEqual(trace);
  });

  it('rebuilds nesting from rows given in any order', () => {
    const trace = [step('g', { kind: 'group', children: [step('a'), step('b', { children: [step('c')] })] }), step('z')];
    expect(rebuildTrace(flattenTrace('e', trace).reverse())).toEqual(trace);
  });
});
