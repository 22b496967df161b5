import { describe, expect, it } from 'vitest';
import { executionResultJson, isSecretName, maskUrl, newAttemptTrace, newStepTrace, SECRET_HEADERS, stepTraceJson, type ExecutionResult } from './trace.js';

describe('isSecretName', () => {
  it.each(['token', 'secret', 'password', 'passwd', 'pwd', 'apikey', 'auth', 'authorization', 'signature', 'sig', 'credential', 'credentials', 'session', 'key'])('treats the bare name %s as a secret', (n) =>
    expect(isSecretName(n)).toBe(true),
  );

  it.each(['x-token', 'x_token', 'x.token', 'TOKEN', 'X-API-KEY', 'v2Token', 'sessionKey', 'refreshToken'])('treats %s, a credential word after a separator or a camel-case hump, as a secret', (n) =>
    expect(isSecretName(n)).toBe(true),
  );

  it.each(['mytoken', 'xauth', 'token_id', 'keys', 'author', 'signatures', 'x token', 'x+token', 'x/token', 'apixkey', ''])('treats %s as ordinary: the word must end the name and follow a separator', (n) =>
    expect(isSecretName(n)).toBe(false),
  );
});

describe('maskUrl', () => {
  it('masks user and password of http and https URLs alike', () => {
    expect(maskUrl('http://user:pw@h.example/a')).toBe('http://***@h.example/a');
    expect(maskUrl('HTTPS://u@h.example')).toBe('HTTPS://***@h.example');
  });

  it('masks userinfo only at the start of the URL, not a URL carried in the query', () => {
    expect(maskUrl('http://h.example/login?next=http://u:p@other')).toBe('http://h.example/login?next=http://u:p@other');
  });

  it('leaves an @ in the path alone', () => {
    expect(maskUrl('http://h.example/users/a@b.c')).toBe('http://h.example/users/a@b.c');
  });

  it('masks every credential-like parameter and keeps the others, their order and an empty value', () => {
    expect(maskUrl('http://h/p?a=1&token=t&b=&session_key=s&c=3')).toBe('http://h/p?a=1&token=***&b=&session_key=***&c=3');
  });

  it('masks a query that is all there is', () => {
    expect(maskUrl('?token=abc')).toBe('?token=***');
  });

  it('keeps a credential-like parameter without a value as it is', () => {
    expect(maskUrl('http://h/p?token&q=1')).toBe('http://h/p?token&q=1');
  });

  it('recognises a percent-encoded parameter name and keeps it encoded', () => {
    expect(maskUrl('http://h/p?api%5Fkey=1&x=2')).toBe('http://h/p?api%5Fkey=***&x=2');
  });

  it('keeps a name that is not valid percent-encoding instead of failing', () => {
    expect(maskUrl('http://h/p?%E0%A4%A=1&token=2')).toBe('http://h/p?%E0%A4%A=1&token=***');
  });

  it('returns a URL without a query unchanged, even when its path looks like parameters', () => {
    expect(maskUrl('http://h/p/token')).toBe('http://h/p/token');
    expect(maskUrl('http://h/a&token=1')).toBe('http://h/a&token=1');
  });
});

describe('SECRET_HEADERS', () => {
  it.each(['Authorization', 'proxy-authorization', 'Cookie', 'set-cookie', 'X-API-Key', 'api-key', 'x-auth-token'])('matches %s', (h) => expect(SECRET_HEADERS.test(h)).toBe(true));
  it.each(['accept', 'x-authorization-hint', 'authorization-hint', 'my-cookie', 'cookie-policy', 'content-type'])('does not match %s', (h) => expect(SECRET_HEADERS.test(h)).toBe(false));
});

const T0 = Date.parse('2026-03-04T05:06:07.000Z');

describe('stepTraceJson', () => {
  it('writes only id, kind and status for a step that has nothing else', () => {
    expect(stepTraceJson({ id: 'a', kind: 'switch', status: 'cancelled' })).toStrictEqual({ id: 'a', kind: 'switch', status: 'cancelled' });
  });

  it('writes every field a step has, in a stable order, with ISO times and durations to 3 decimals', () => {
    const json = stepTraceJson({
      id: 'call',
      kind: 'workflow',
      status: 'failed',
      index: 0,
      taskRef: 't',
      workflowRef: 'child@v1',
      executionId: 'x-1',
      matched: 'stripe',
      reason: 'r',
      readyAt: T0,
      startedAt: T0 + 1.5,
      endedAt: T0 + 12,
      durationMs: 10.12345,
      waitMs: 1.0004,
      method: 'POST',
      url: 'http://h/x',
      httpStatus: 503,
      attempts: [
        { attempt: 1, startedAt: T0 + 2, durationMs: 2.22222, httpStatus: 503, error: { type: 'http', code: 'WF_HTTP_503', message: 'm' } },
        { attempt: 2, startedAt: T0 + 8, durationMs: 0.0004, backoffMs: 4.56789 },
      ],
      error: { type: 'workflow', code: 'WF_CHILD', message: 'child failed' },
      children: [{ id: 'inner', kind: 'task', status: 'succeeded', durationMs: 0.12345 }],
    });
    expect(json).toEqual({
      id: 'call',
      kind: 'workflow',
      status: 'failed',
      index: 0,
      taskRef: 't',
      workflowRef: 'child@v1',
      executionId: 'x-1',
      matched: 'stripe',
      reason: 'r',
      readyAt: '2026-03-04T05:06:07.000Z',
      startedAt: '2026-03-04T05:06:07.001Z',
      endedAt: '2026-03-04T05:06:07.012Z',
      durationMs: 10.123,
      waitMs: 1,
      method: 'POST',
      url: 'http://h/x',
      httpStatus: 503,
      attempts: [
        { attempt: 1, startedAt: '2026-03-04T05:06:07.002Z', durationMs: 2.222, httpStatus: 503, error: { type: 'http', code: 'WF_HTTP_503', message: 'm' } },
        { attempt: 2, startedAt: '2026-03-04T05:06:07.008Z', durationMs: 0, backoffMs: 4.568 },
      ],
      error: { type: 'workflow', code: 'WF_CHILD', message: 'child failed' },
      children: [{ id: 'inner', kind: 'task', status: 'succeeded', durationMs: 0.123 }],
    });
    expect(Object.keys(json)).toEqual(['id', 'kind', 'status', 'index', 'taskRef', 'workflowRef', 'executionId', 'matched', 'reason', 'readyAt', 'startedAt', 'endedAt', 'durationMs', 'waitMs', 'method', 'url', 'httpStatus', 'attempts', 'error', 'children']);
  });

  it('keeps zero values: index 0, epoch 0 and durations of 0', () => {
    expect(stepTraceJson({ id: 'i', kind: 'forEach', status: 'succeeded', index: 0, readyAt: 0, startedAt: 0, endedAt: 0, durationMs: 0, waitMs: 0, attempts: [], children: [] })).toEqual({
      id: 'i',
      kind: 'forEach',
      status: 'succeeded',
      index: 0,
      readyAt: '1970-01-01T00:00:00.000Z',
      startedAt: '1970-01-01T00:00:00.000Z',
      endedAt: '1970-01-01T00:00:00.000Z',
      durationMs: 0,
      waitMs: 0,
      attempts: [],
      children: [],
    });
  });

  it('writes an attempt with only its number, start and duration when it has nothing else', () => {
    const json = stepTraceJson({ id: 's', kind: 'task', status: 'succeeded', attempts: [{ attempt: 1, startedAt: T0, durationMs: 3 }] });
    expect(json.attempts).toStrictEqual([{ attempt: 1, startedAt: '2026-03-04T05:06:07.000Z', durationMs: 3 }]);
  });

  it('keeps a backoff of 0 and an HTTP status on an attempt', () => {
    const json = stepTraceJson({ id: 's', kind: 'task', status: 'succeeded', attempts: [{ attempt: 2, startedAt: T0, durationMs: 1, backoffMs: 0, httpStatus: 200 }] });
    expect(json.attempts).toEqual([{ attempt: 2, startedAt: '2026-03-04T05:06:07.000Z', durationMs: 1, httpStatus: 200, backoffMs: 0 }]);
  });
});

describe('executionResultJson', () => {
  const base: ExecutionResult = { executionId: 'e', workflow: { name: 'w', namespace: 'ns', version: 'v1' }, status: 'succeeded', startedAt: T0, endedAt: T0 + 2, durationMs: 2.0006, steps: [] };

  it('writes null as the output of a run that succeeded without one', () => {
    expect(executionResultJson(base)).toEqual({
      executionId: 'e',
      workflow: { name: 'w', namespace: 'ns', version: 'v1' },
      status: 'succeeded',
      output: null,
      startedAt: '2026-03-04T05:06:07.000Z',
      endedAt: '2026-03-04T05:06:07.002Z',
      durationMs: 2.001,
      trace: [],
    });
  });

  it('keeps a falsy output such as 0', () => {
    expect(executionResultJson({ ...base, output: 0 }).output).toBe(0);
  });

  it.each(['failed', 'timed_out', 'cancelled'] as const)('writes the error and no output for a run that %s', (status) => {
    const error = { type: 'cancelled' as const, code: 'WF_RUN_CANCELLED', message: 'gone' };
    const json = executionResultJson({ ...base, status, output: 'partial', error });
    expect(json.error).toEqual(error);
    expect(json).not.toHaveProperty('output');
    expect(Object.keys(json)).toEqual(['executionId', 'workflow', 'status', 'error', 'startedAt', 'endedAt', 'durationMs', 'trace']);
  });

  it('writes each step with the step JSON form', () => {
    const json = executionResultJson({ ...base, steps: [{ id: 'a', kind: 'task', status: 'skipped', reason: 'condition was false', durationMs: 0.0001 }] });
    expect(json.trace).toEqual([{ id: 'a', kind: 'task', status: 'skipped', reason: 'condition was false', durationMs: 0 }]);
  });
});

describe('newStepTrace and newAttemptTrace', () => {
  it('start a step trace as succeeded, with only its id, kind, ready time and index set', () => {
    const t = newStepTrace('each[3]', 'task', 1_000, 3);
    expect(t).toEqual({ id: 'each[3]', kind: 'task', status: 'succeeded', readyAt: 1_000, index: 3 });
    expect(Object.keys(t)).toContain('attempts');
    expect(stepTraceJson(t)).toStrictEqual({ id: 'each[3]', kind: 'task', status: 'succeeded', index: 3, readyAt: new Date(1_000).toISOString() });
  });

  it('leave the index out of a step that is not a forEach item', () => {
    expect(stepTraceJson(newStepTrace('a', 'switch', 0))).toStrictEqual({ id: 'a', kind: 'switch', status: 'succeeded', readyAt: '1970-01-01T00:00:00.000Z' });
  });

  it('start an attempt with no duration yet, and a backoff only when one was waited', () => {
    expect(newAttemptTrace(2, 5_000, 150)).toEqual({ attempt: 2, startedAt: 5_000, durationMs: 0, backoffMs: 150 });
    const first = newAttemptTrace(1, 5_000, undefined);
    expect(first).toEqual({ attempt: 1, startedAt: 5_000, durationMs: 0 });
    expect(stepTraceJson({ ...newStepTrace('a', 'task', 5_000), attempts: [first] }).attempts).toStrictEqual([{ attempt: 1, startedAt: new Date(5_000).toISOString(), durationMs: 0 }]);
  });
});
