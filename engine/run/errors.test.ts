import { describe, expect, it } from 'vitest';
import { CancelledError, DeadlineError, StepError, StepTimeoutError } from './errors.js';

describe('StepError', () => {
  it('carries its info, takes the message from it and is not retryable unless told', () => {
    const info = { type: 'http' as const, code: 'WF_HTTP_400', message: 'GET http://h/ answered 400', httpStatus: 400 };
    const e = new StepError(info);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('StepError');
    expect(e.message).toBe('GET http://h/ answered 400');
    expect(e.info).toBe(info);
    expect(e.retryable).toBe(false);
    expect(e.retryAfterMs).toBeUndefined();
  });

  it('keeps whether it is retryable and how long the server asked to wait', () => {
    const e = new StepError({ type: 'http', code: 'WF_HTTP_429', message: 'slow down' }, true, 1500);
    expect(e.retryable).toBe(true);
    expect(e.retryAfterMs).toBe(1500);
  });
});

describe('run errors', () => {
  it('says how long a run had when its deadline passed', () => {
    const e = new DeadlineError(250);
    expect([e.name, e.code, e.message, e.timeoutMs]).toEqual(['DeadlineError', 'WF_RUN_TIMEOUT', 'The workflow did not finish within 250ms', 250]);
  });

  it('says a run was cancelled, or why', () => {
    const e = new CancelledError();
    expect([e.name, e.code, e.message]).toEqual(['CancelledError', 'WF_RUN_CANCELLED', 'The run was cancelled']);
    expect(new CancelledError('The client disconnected').message).toBe('The client disconnected');
  });

  it('says how long a step had when its own timeout passed', () => {
    const e = new StepTimeoutError(40);
    expect([e.name, e.code, e.message, e.timeoutMs]).toEqual(['StepTimeoutError', 'WF_STEP_TIMEOUT', 'The step did not finish within 40ms', 40]);
  });
});
