import { describe, expect, it } from 'vitest';
import { backoffDelay, NO_RETRY, parseRetryAfter, retryPolicy } from './retry.js';
import { executionResultJson, isSecretName, maskUrl } from './trace.js';

describe('retryPolicy', () => {
  it('defaults to one attempt, 100ms backoff, 10s cap', () => {
    expect(retryPolicy(undefined, undefined)).toEqual({ maxAttempts: 1, backoffMs: 100, maxBackoffMs: 10_000 });
  });

  it('lets the step override the task field by field', () => {
    expect(retryPolicy({ maxAttempts: 5 }, { maxAttempts: 2, backoff: '1s', maxBackoff: '4s' })).toEqual({ maxAttempts: 5, backoffMs: 1000, maxBackoffMs: 4000 });
  });
});

describe('backoffDelay', () => {
  const policy = { maxAttempts: 10, backoffMs: 100, maxBackoffMs: 1000 };

  it('doubles per attempt with equal jitter between half and the whole', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(50);
    expect(backoffDelay(policy, 1, () => 1)).toBe(100);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(300);
  });

  it('caps the delay at maxBackoff', () => {
    expect(backoffDelay(policy, 10, () => 1)).toBe(1000);
  });

  it('waits at least what Retry-After asks', () => {
    expect(backoffDelay(policy, 1, () => 0, 2500)).toBe(2500);
    expect(backoffDelay(policy, 1, () => 1, 10)).toBe(100);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(['4'])).toBe(4000);
  });

  it('ignores a missing or unreadable header', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
  });
});

describe('isSecretName', () => {
  it.each(['token', 'access_token', 'accessToken', 'api_key', 'apiKey', 'X-Signature', 'password', 'client_secret', 'key'])('treats %s as a secret', (n) => expect(isSecretName(n)).toBe(true));
  it.each(['monkey', 'keyboard', 'sku', 'q', 'expand', 'tokens_used'])('treats %s as ordinary', (n) => expect(isSecretName(n)).toBe(false));
});

describe('maskUrl', () => {
  it('masks userinfo and credential-like query values', () => {
    expect(maskUrl('https://user:pw@api.example.com/a?api_key=123&q=x&token=abc&X-Signature=z')).toBe('https://***@api.example.com/a?api_key=***&q=x&token=***&X-Signature=***');
  });

  it('leaves ordinary URLs alone', () => {
    expect(maskUrl('http://127.0.0.1:8090/users/7?expand=orders&monkey=1')).toBe('http://127.0.0.1:8090/users/7?expand=orders&monkey=1');
    expect(maskUrl('http://h/p?flag')).toBe('http://h/p?flag');
  });
});

describe('JSON form of results', () => {
  it('writes ISO times, rounded durations and only the fields a step has', () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const json = executionResultJson({
      executionId: 'e1',
      workflow: { name: 'w', namespace: 'default', version: 'v' },
      status: 'succeeded',
      output: { a: 1 },
      startedAt: t0,
      endedAt: t0 + 5.1234567,
      durationMs: 5.1234567,
      steps: [
        { id: 's', kind: 'task', status: 'succeeded', taskRef: 't', readyAt: t0, startedAt: t0 + 1, endedAt: t0 + 2, durationMs: 1, waitMs: 1, method: 'GET', url: 'http://h/x', httpStatus: 200, attempts: [{ attempt: 1, startedAt: t0 + 1, durationMs: 0.99999, httpStatus: 200 }] },
        { id: 'k', kind: 'task', status: 'skipped', reason: 'condition was false' },
      ],
    });
    expect(json).toEqual({
      executionId: 'e1',
      workflow: { name: 'w', namespace: 'default', version: 'v' },
      status: 'succeeded',
      output: { a: 1 },
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:00:00.005Z',
      durationMs: 5.123,
      trace: [
        { id: 's', kind: 'task', status: 'succeeded', taskRef: 't', readyAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:00.001Z', endedAt: '2026-01-01T00:00:00.002Z', durationMs: 1, waitMs: 1, method: 'GET', url: 'http://h/x', httpStatus: 200, attempts: [{ attempt: 1, startedAt: '2026-01-01T00:00:00.001Z', durationMs: 1, httpStatus: 200 }] },
        { id: 'k', kind: 'task', status: 'skipped', reason: 'condition was false' },
      ],
    });
  });

  it('carries the error instead of the output when the run failed', () => {
    const json = executionResultJson({ executionId: 'e', workflow: { name: 'w', namespace: 'd', version: 'v' }, status: 'failed', error: { type: 'http', code: 'WF_HTTP_500', message: 'm', step: 's' }, startedAt: 0, endedAt: 1, durationMs: 1, steps: [] });
    expect(json.error).toEqual({ type: 'http', code: 'WF_HTTP_500', message: 'm', step: 's' });
    expect(json).not.toHaveProperty('output');
  });
});

describe('parseRetryAfter edges', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads several digits, decimals and surrounding spaces as seconds', () => {
    expect(parseRetryAfter('12', now)).toBe(12_000);
    expect(parseRetryAfter('1.25', now)).toBe(1250);
    expect(parseRetryAfter(' 3 ', now)).toBe(3000);
  });

  it('ignores a number with anything before or after it', () => {
    expect(parseRetryAfter('2x', now)).toBeUndefined();
    expect(parseRetryAfter('x2', now)).toBeUndefined();
  });

  it('takes the first of several header values, and nothing from none', () => {
    expect(parseRetryAfter(['7', '1'], now)).toBe(7000);
    expect(parseRetryAfter([], now)).toBeUndefined();
  });
});

describe('retryPolicy edges', () => {
  it('takes each field from the first spec that sets it, skipping missing specs', () => {
    expect(retryPolicy(undefined, { backoff: '250ms' }, { maxAttempts: 3, backoff: '1s', maxBackoff: '2s' })).toEqual({ maxAttempts: 3, backoffMs: 250, maxBackoffMs: 2000 });
  });

  it('keeps a zero backoff and a zero cap', () => {
    expect(retryPolicy({ maxAttempts: 2, backoff: '0ms', maxBackoff: '0ms' })).toEqual({ maxAttempts: 2, backoffMs: 0, maxBackoffMs: 0 });
  });
});

describe('backoffDelay edges', () => {
  it('waits the base backoff between half and all of it on the first retry, whatever the cap above it', () => {
    const policy = { maxAttempts: 3, backoffMs: 200, maxBackoffMs: 10_000 };
    expect(backoffDelay(policy, 1, () => 0.25)).toBe(125);
    expect(backoffDelay(policy, 2, () => 0.25)).toBe(250);
  });

  it('lets a Retry-After of 0 leave the jittered delay as it is', () => {
    expect(backoffDelay({ maxAttempts: 3, backoffMs: 100, maxBackoffMs: 1000 }, 1, () => 0, 0)).toBe(50);
  });
});

describe('NO_RETRY', () => {
  it('is one attempt without backoff', () => {
    expect(NO_RETRY).toEqual({ maxAttempts: 1, backoffMs: 0, maxBackoffMs: 0 });
  });
});
