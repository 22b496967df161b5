import { describe, expect, it } from 'vitest';
import type { StepSpec } from '../model/types.js';
import type { StepTrace } from '../run/trace.js';
import { sampleSteps, SAMPLE_T0 } from '../store/samples.js';
import { analyzeTrace } from './trace-view.js';

const ran = (id: string, start: number, end: number, extra: Partial<StepTrace> = {}): StepTrace => ({ id, kind: 'task', status: 'succeeded', startedAt: start, endedAt: end, durationMs: end - start, ...extra });

describe('analyzeTrace', () => {
  it('groups the steps whose start-to-end intervals overlap, in start order', () => {
    const steps = [ran('a', 0, 10), ran('b', 2, 5), ran('c', 9, 20), ran('d', 20, 25), ran('e', 30, 31)];
    expect(analyzeTrace(steps).actualGroups).toEqual([['a', 'b', 'c'], ['d'], ['e']]);
  });

  it('leaves skipped steps and steps that never started out of the actual groups', () => {
    const steps = [ran('a', 0, 10), { id: 'b', kind: 'task', status: 'skipped', startedAt: 3, endedAt: 3 } as StepTrace, { id: 'c', kind: 'task', status: 'cancelled' } as StepTrace];
    expect(analyzeTrace(steps).actualGroups).toEqual([['a']]);
  });

  it('plans groups from the dependency levels of the definition that ran', () => {
    const spec: StepSpec[] = [{ id: 'a', taskRef: 't' }, { id: 'b', taskRef: 't' }, { id: 'c', taskRef: 't', input: { x: '{{tasks.a.output.v}}' } } as StepSpec];
    expect(analyzeTrace([], spec).plannedGroups).toEqual([['a', 'b'], ['c']]);
    expect(analyzeTrace([]).plannedGroups).toBeUndefined();
  });

  it('sums the waits of every step, nested ones too, and names the longest', () => {
    const steps = [ran('a', 0, 1, { waitMs: 1.5 }), ran('loop', 1, 9, { kind: 'forEach', waitMs: 0, children: [ran('loop[0]', 2, 3, { kind: 'group', index: 0, waitMs: 4, children: [ran('charge', 2, 3, { waitMs: 0.25 })] })] })];
    expect(analyzeTrace(steps).waitMs).toEqual({ total: 5.75, max: 4, step: 'loop[0]' });
  });

  it('lists child runs with their place in the trace, nested in forEach items too', () => {
    const steps = [ran('loop', 0, 9, { kind: 'forEach', children: [ran('loop[1]', 0, 9, { kind: 'group', index: 1, children: [ran('sub', 0, 9, { kind: 'workflow', workflowRef: 'child', executionId: 'x-1' })] })] })];
    expect(analyzeTrace(steps).childRuns).toEqual([{ path: 'loop[1].sub', step: 'sub', workflow: 'child', executionId: 'x-1', status: 'succeeded' }]);
  });

  it('reads a stored sample trace: the child run and groups by recorded times', () => {
    const analysis = analyzeTrace(sampleSteps(SAMPLE_T0));
    expect(analysis.childRuns).toEqual([{ path: 'enrich', step: 'enrich', workflow: 'enrich-user', executionId: 'child-run-1', status: 'succeeded' }]);
    expect(analysis.actualGroups).toEqual([['user'], ['enrich', 'process'], ['empty'], ['route']]);
  });
});
