import { isoTime as iso } from '../model/time.js';
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

/**
 * A new step trace, every field present (undefined until set): one allocation in one shape. Set
 * one by one, the fields grew each trace's property store several times, and a forEach makes a
 * trace per item.
 */
export function newStepTrace(id: string, kind: StepTrace['kind'], readyAt: number, index?: number): StepTrace {
  return {
    id,
    kind,
    status: 'succeeded',
    taskRef: undefined,
    workflowRef: undefined,
    readyAt,
    startedAt: undefined,
    endedAt: undefined,
    durationMs: undefined,
    waitMs: undefined,
    attempts: undefined,
    httpStatus: undefined,
    url: undefined,
    method: undefined,
    error: undefined,
    reason: undefined,
    matched: undefined,
    children: undefined,
    index,
    executionId: undefined,
  };
}

/** A new attempt trace, every field present (see `newStepTrace`). */
export function newAttemptTrace(attempt: number, startedAt: number, backoffMs: number | undefined): AttemptTrace {
  return { attempt, startedAt, durationMs: 0, httpStatus: undefined, error: undefined, backoffMs };
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

/** A parameter name that carries a credential: `token`, `api_key`, `accessToken`, `X-Signature`, … */
const SECRET_NAME = /(^|[-_.])(token|secret|password|passwd|pwd|api[-_]?key|apikey|auth|authorization|signature|sig|credentials?|session|key)$/i;

/** True when a field or parameter name looks like it holds a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/([a-z0-9])([A-Z])/g, '$1_$2'));
}

/**
 * Masks the secrets a URL may carry: userinfo and the values of query parameters whose names
 * look like credentials.
 * @example maskUrl('https://u:p@x.io/a?api_key=1&q=2') // 'https://***@x.io/a?api_key=***&q=2'
 */
export function maskUrl(url: string): string {
  // Neither userinfo nor a query: nothing to mask (the common case, on every call).
  if (url.indexOf('@') < 0 && url.indexOf('?') < 0) return url;
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
      return eq >= 0 && isSecretName(decoded) ? `${name}=***` : pair;
    })
    .join('&');
  out = out.slice(0, q + 1) + query;
  return out;
}

/** Header names whose values never appear in traces or errors. */
export const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)$/i;


function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The JSON form of a step trace: ISO timestamps, durations in milliseconds (3 decimals); absent fields left out. */
export function stepTraceJson(t: StepTrace): Record<string, unknown> {
  const out: Record<string, unknown> = { id: t.id, kind: t.kind, status: t.status };
  if (t.index !== undefined) out.index = t.index;
  if (t.taskRef !== undefined) out.taskRef = t.taskRef;
  if (t.workflowRef !== undefined) out.workflowRef = t.workflowRef;
  if (t.executionId !== undefined) out.executionId = t.executionId;
  if (t.matched !== undefined) out.matched = t.matched;
  if (t.reason !== undefined) out.reason = t.reason;
  if (t.readyAt !== undefined) out.readyAt = iso(t.readyAt);
  if (t.startedAt !== undefined) out.startedAt = iso(t.startedAt);
  if (t.endedAt !== undefined) out.endedAt = iso(t.endedAt);
  if (t.durationMs !== undefined) out.durationMs = round(t.durationMs);
  if (t.waitMs !== undefined) out.waitMs = round(t.waitMs);
  if (t.method !== undefined) out.method = t.method;
  if (t.url !== undefined) out.url = t.url;
  if (t.httpStatus !== undefined) out.httpStatus = t.httpStatus;
  if (t.attempts !== undefined) out.attempts = t.attempts.map(attemptJson);
  if (t.error !== undefined) out.error = t.error;
  if (t.children !== undefined) out.children = t.children.map(stepTraceJson);
  return out;
}

function attemptJson(a: AttemptTrace): Record<string, unknown> {
  const out: Record<string, unknown> = { attempt: a.attempt, startedAt: iso(a.startedAt), durationMs: round(a.durationMs) };
  if (a.httpStatus !== undefined) out.httpStatus = a.httpStatus;
  if (a.backoffMs !== undefined) out.backoffMs = round(a.backoffMs);
  if (a.error !== undefined) out.error = a.error;
  return out;
}

/**
 * The JSON form of a result, as the API returns it:
 * `{ executionId, workflow, status, output | error, startedAt, endedAt, durationMs, trace }`;
 * `trace: false` leaves the trace out (`Prefer: return=minimal`).
 */
export function executionResultJson(r: ExecutionResult, options: { trace?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    executionId: r.executionId,
    workflow: r.workflow,
    status: r.status,
    ...(r.status === 'succeeded' ? { output: r.output ?? null } : { error: r.error }),
    startedAt: iso(r.startedAt),
    endedAt: iso(r.endedAt),
    durationMs: round(r.durationMs),
  };
  if (options.trace !== false) out.trace = r.steps.map(stepTraceJson);
  return out;
}
