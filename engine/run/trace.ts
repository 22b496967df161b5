import type { StepErrorInfo } from './errors.js';

export type StepStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type RunStatus = 'succeeded' | 'failed' | 'timed_out' | 'cancelled';

/** One HTTP (or transform) attempt of a task. */
export interface AttemptTrace {
  attempt: number;
  startedAt: number;
  durationMs: number;
  httpStatus?: number;
  error?: StepErrorInfo;
  /** Backoff waited before this attempt, in milliseconds. */
  backoffMs?: number;
}

/** What happened to one step. Times are epoch milliseconds; durations milliseconds. */
export interface StepTrace {
  id: string;
  kind: 'task' | 'workflow' | 'switch' | 'forEach' | 'group';
  status: StepStatus;
  taskRef?: string;
  workflowRef?: string;
  /** When the step's dependencies were all done. */
  readyAt?: number;
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  /** Time between ready and started (concurrency limits, scheduling). */
  waitMs?: number;
  attempts?: AttemptTrace[];
  httpStatus?: number;
  /** The resolved URL of the last attempt, secrets masked. */
  url?: string;
  method?: string;
  error?: StepErrorInfo;
  /** Why the step was skipped. */
  reason?: string;
  /** The case a switch took. */
  matched?: string;
  /** forEach: one entry per item; workflow: the child run's steps; group: nested steps. */
  children?: StepTrace[];
  /** forEach item index, when this trace is an iteration. */
  index?: number;
  /** Child run id for workflowRef steps. */
  executionId?: string;
}

/** The result of a run: output or error, and the trace. */
export interface ExecutionResult {
  executionId: string;
  workflow: { name: string; namespace: string; version: string };
  status: RunStatus;
  output?: unknown;
  error?: StepErrorInfo & { step?: string };
  startedAt: number;
  endedAt: number;
  durationMs: number;
  steps: StepTrace[];
}

const SECRET_NAME = /(token|secret|password|passwd|pwd|api[-_]?key|apikey|auth|signature|sig|credential|session|key)$/i;

/**
 * Masks the secrets a URL may carry: userinfo and the values of query parameters whose names
 * look like credentials.
 * @example maskUrl('https://u:p@x.io/a?api_key=1&q=2') // 'https://***@x.io/a?api_key=***&q=2'
 */
export function maskUrl(url: string): string {
  let out = url.replace(/^(https?:\/\/)[^/@]+@/i, '$1***@');
  const q = out.indexOf('?');
  if (q < 0) return out;
  const query = out
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        /* keep the raw name */
      }
      return eq >= 0 && SECRET_NAME.test(decoded) ? `${name}=***` : pair;
    })
    .join('&');
  out = out.slice(0, q + 1) + query;
  return out;
}

/** Header names whose values never appear in traces or errors. */
export const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)$/i;
