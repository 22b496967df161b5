/** Why a step (or a run) failed, as a value with a stable type and code. */
export type StepErrorType =
  | 'timeout'
  | 'network'
  | 'http'
  | 'template'
  | 'input'
  | 'transform'
  | 'condition'
  | 'switch'
  | 'forEach'
  | 'workflow'
  | 'cancelled'
  | 'response';

export interface StepErrorInfo {
  type: StepErrorType;
  code: string;
  message: string;
  hint?: string;
  httpStatus?: number;
  /** For sub-workflow failures: the child's own error, then its child's, … */
  cause?: StepErrorInfo & { step?: string; workflow?: string };
}

/** An error raised while running a step; carries what the trace shows. */
export class StepError extends Error {
  constructor(
    readonly info: StepErrorInfo,
    /** True when another attempt may succeed (network errors, 5xx, 429, attempt timeouts). */
    readonly retryable = false,
    /** Milliseconds the server asked to wait (Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(info.message);
    this.name = 'StepError';
  }
}

/** Raised when a run's deadline passes; not retryable. */
export class DeadlineError extends Error {
  readonly code = 'WF_RUN_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`The workflow did not finish within ${timeoutMs}ms`);
    this.name = 'DeadlineError';
  }
}

/** Raised when the caller went away or cancelled the run. */
export class CancelledError extends Error {
  readonly code = 'WF_RUN_CANCELLED';
  constructor(reason = 'The run was cancelled') {
    super(reason);
    this.name = 'CancelledError';
  }
}

/** Raised when a step's own timeout passes. */
export class StepTimeoutError extends Error {
  readonly code = 'WF_STEP_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`The step did not finish within ${timeoutMs}ms`);
    this.name = 'StepTimeoutError';
  }
}
