import { randomUUID } from 'node:crypto';
import type { ExecutionResult, StepTrace } from '../run/trace.js';

/** A start time far from now, so sample runs never mix with real ones in time ranges. */
export const SAMPLE_T0 = 1_900_000_000_000.25;

/** A trace with retries, a forEach of groups, a child run, a skipped step, an empty forEach and a switch. */
export function sampleSteps(t0: number): StepTrace[] {
  const task = (id: string, taskRef: string, at: number, ms: number, extra: Partial<StepTrace> = {}): StepTrace => ({
    id,
    kind: 'task',
    status: 'succeeded',
    taskRef,
    readyAt: at,
    startedAt: at + 0.125,
    endedAt: at + 0.125 + ms,
    durationMs: ms,
    waitMs: 0.125,
    attempts: [{ attempt: 1, startedAt: at + 0.125, durationMs: ms, httpStatus: 200 }],
    httpStatus: 200,
    url: `http://api/${taskRef}`,
    method: 'GET',
    ...extra,
  });
  return [
    task('user', 'get-user', t0, 12.5, {
      attempts: [
        { attempt: 1, startedAt: t0 + 0.125, durationMs: 5, httpStatus: 503, error: { type: 'http', code: 'WF_HTTP_STATUS', message: 'HTTP 503 from get-user', httpStatus: 503 } },
        { attempt: 2, startedAt: t0 + 6.5, durationMs: 6, httpStatus: 200, backoffMs: 1.375 },
      ],
      url: 'http://api/users/1?api_key=***',
    }),
    {
      id: 'process',
      kind: 'forEach',
      status: 'succeeded',
      readyAt: t0 + 13,
      startedAt: t0 + 13,
      endedAt: t0 + 30,
      durationMs: 17,
      waitMs: 0,
      children: [0, 1].map((i) => ({
        id: `process[${i}]`,
        index: i,
        kind: 'group' as const,
        status: 'succeeded' as const,
        readyAt: t0 + 13,
        startedAt: t0 + 13,
        endedAt: t0 + 29,
        durationMs: 16,
        children: [task('charge', 'charge-card', t0 + 14 + i, 8 + i)],
      })),
    },
    {
      id: 'enrich',
      kind: 'workflow',
      status: 'succeeded',
      workflowRef: 'enrich-user',
      executionId: 'child-run-1',
      readyAt: t0 + 13,
      startedAt: t0 + 13,
      endedAt: t0 + 20,
      durationMs: 7,
      waitMs: 0,
      children: [task('lookup', 'lookup', t0 + 13.5, 6)],
    },
    { id: 'notify', kind: 'task', status: 'skipped', taskRef: 'send-mail', reason: "condition '{{ input.notify }}' was false", readyAt: t0 + 30, startedAt: t0 + 30, endedAt: t0 + 30, durationMs: 0, waitMs: 0 },
    { id: 'empty', kind: 'forEach', status: 'succeeded', readyAt: t0 + 30, startedAt: t0 + 30, endedAt: t0 + 30.5, durationMs: 0.5, waitMs: 0, children: [] },
    task('route', 'gold-lane', t0 + 31, 2, { kind: 'switch', matched: 'gold' }),
  ];
}

/** A finished result for `workflow`, started at `startedAt`, lasting `durationMs`. */
export function sampleResult(workflow: string, o: Partial<ExecutionResult> & { startedAt?: number } = {}): ExecutionResult {
  const startedAt = o.startedAt ?? SAMPLE_T0;
  const durationMs = o.durationMs ?? 40;
  const status = o.status ?? 'succeeded';
  return {
    executionId: o.executionId ?? randomUUID(),
    workflow: o.workflow ?? { name: workflow, namespace: 'default', version: 'a'.repeat(64) },
    status,
    ...(status === 'succeeded' ? { output: o.output ?? { ok: true } } : { error: o.error ?? { type: 'http', code: 'WF_HTTP_STATUS', message: 'HTTP 500 from charge-card', httpStatus: 500, step: 'user' } }),
    startedAt,
    endedAt: startedAt + durationMs,
    durationMs,
    steps: o.steps ?? sampleSteps(startedAt),
  };
}
