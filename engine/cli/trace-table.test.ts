import { describe, expect, it } from 'vitest';
import type { StepTrace } from '../run/trace.js';
import { formatMs, traceTable } from './trace-table.js';

describe('formatMs', () => {
  it('prints two decimals below 10 ms, one below a second, seconds above', () => {
    expect([formatMs(0.123), formatMs(12.34), formatMs(1234), formatMs(undefined)]).toEqual(['0.12ms', '12.3ms', '1.23s', '-']);
  });
});

describe('traceTable', () => {
  it('prints one aligned row per step with attempts, wait, duration, HTTP status and a note', () => {
    const steps: StepTrace[] = [
      { id: 'fetch-order', kind: 'task', status: 'failed', waitMs: 0.2, durationMs: 68.2, httpStatus: 404, attempts: [{ attempt: 1, startedAt: 0, durationMs: 68 }], error: { type: 'http', code: 'WF_HTTP_404', message: 'no order' } },
      { id: 'fetch-customer', kind: 'task', status: 'skipped', reason: "dependency 'fetch-order' failed" },
    ];
    expect(traceTable(steps)).toBe(
      [
        'STEP            STATUS   ATTEMPTS  WAIT    DURATION  HTTP  NOTE',
        'fetch-order     failed   1         0.20ms  68.2ms    404   WF_HTTP_404',
        "fetch-customer  skipped  -         -       -         -     dependency 'fetch-order' failed",
        '',
      ].join('\n'),
    );
  });

  it('indents forEach iterations under their step by index', () => {
    const steps: StepTrace[] = [
      {
        id: 'each',
        kind: 'forEach',
        status: 'succeeded',
        durationMs: 3,
        children: [
          { id: 'each', kind: 'task', status: 'succeeded', index: 0, durationMs: 1, httpStatus: 200, attempts: [{ attempt: 1, startedAt: 0, durationMs: 1 }] },
          { id: 'each', kind: 'task', status: 'succeeded', index: 1, durationMs: 2, httpStatus: 200, attempts: [{ attempt: 1, startedAt: 0, durationMs: 2 }] },
        ],
      },
    ];
    expect(traceTable(steps).split('\n').map((l) => /^\s*\S*/.exec(l)![0])).toEqual(['STEP', 'each', '  [0]', '  [1]', '']);
  });
});
