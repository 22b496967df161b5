import { canonicalJson } from '../model/canonical.js';
import { maskSecrets } from '../store/mask.js';
import type { ExecutionRecord, ExecutionStore } from '../store/store.js';
import { executionResultJson, type ExecutionResult } from '../run/trace.js';
import { ASYNC_TRIGGER } from './async.js';
import { problem, type Problem } from './problem.js';
import { runProblem } from './run-problem.js';

/** An answer of the execute route before it becomes a Response: JSON or a problem, with headers. */
export interface Reply {
  status: number;
  body?: Record<string, unknown>;
  problem?: Problem;
  headers: Record<string, string>;
  executionId?: string;
}

/** How long a key is remembered (24 h). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

const KEY = /^[\x21-\x7e]{1,255}$/;

/** True when an `Idempotency-Key` value is 1..255 visible ASCII characters. */
export function validIdempotencyKey(key: string): boolean {
  return KEY.test(key);
}

/** What a key stands for: a workflow and the input it was run with. */
export interface IdempotencyTarget {
  namespace: string;
  workflow: string;
  input: unknown;
}

/** The target as compared: the input as the store keeps it (secrets masked), in canonical JSON. */
interface Target {
  namespace: string;
  workflow: string;
  input: string;
}

/**
 * `Idempotency-Key` on execute: a repeated key within the window answers the first run's
 * result instead of running again. The store is the record across processes and replicas;
 * requests with the same key in this process while the first is still running wait for it.
 * @example
 * const reply = await gate.run(key, { namespace: 'default', workflow: 'checkout' }, () => runAndRecord());
 */
export class IdempotencyGate {
  private readonly inflight = new Map<string, { target: Target; reply: Promise<Reply> }>();

  constructor(
    private readonly store: ExecutionStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Runs `execute` unless the key was used before; a replayed reply carries
   * `idempotent-replayed: true`. A key used before for another workflow or another input answers 422.
   */
  async run(key: string, request: IdempotencyTarget, execute: () => Promise<Reply>): Promise<Reply> {
    const target: Target = { namespace: request.namespace, workflow: request.workflow, input: canonicalJson(maskSecrets(request.input ?? {})) };
    const pending = this.inflight.get(key);
    if (pending) {
      if (!sameTarget(pending.target, target)) return reused(pending.target);
      return replayed(await pending.reply);
    }
    const reply = (async (): Promise<Reply> => {
      let stored: ExecutionRecord | undefined;
      try {
        stored = await this.store.findByIdempotencyKey(key, this.clock() - IDEMPOTENCY_WINDOW_MS);
      } catch {
        // Running without knowing whether the key ran already could run it twice: refuse instead.
        return {
          status: 503,
          problem: problem(503, 'WF_HISTORY_UNAVAILABLE', 'The history database did not answer, so the Idempotency-Key could not be checked; nothing ran', { hint: 'Retry the request with the same key in a moment.' }),
          headers: {},
        };
      }
      if (!stored) return execute();
      if (!sameTarget({ namespace: stored.namespace, workflow: stored.workflow, input: canonicalJson(stored.input ?? {}) }, target)) return reused(stored);
      return replayed(await this.fromRecord(stored));
    })();
    this.inflight.set(key, { target, reply });
    try {
      return await reply;
    } finally {
      this.inflight.delete(key);
    }
  }

  /** The answer the first request got, rebuilt from its record. */
  private async fromRecord(record: ExecutionRecord): Promise<Reply> {
    const location = `/api/v1/executions/${encodeURIComponent(record.id)}`;
    const headers = { 'x-execution-id': record.id };
    if (record.trigger === ASYNC_TRIGGER) {
      return { status: 202, body: acceptedBody(record.id, { name: record.workflow, namespace: record.namespace, version: record.version }, record.status), headers: { ...headers, location }, executionId: record.id };
    }
    if (record.status === 'running') {
      return {
        status: 409,
        problem: problem(409, 'WF_IDEMPOTENCY_IN_PROGRESS', `The run started with this Idempotency-Key (${record.id}) has not finished`, { hint: `Read its outcome at GET ${location}.` }),
        headers,
        executionId: record.id,
      };
    }
    const trace = await this.store.getTrace(record.id);
    const result: ExecutionResult = {
      executionId: record.id,
      workflow: { name: record.workflow, namespace: record.namespace, version: record.version ?? '' },
      status: record.status,
      ...(record.status === 'succeeded' ? { output: record.output } : { error: record.error }),
      startedAt: record.startedAt,
      endedAt: record.endedAt ?? record.startedAt,
      durationMs: record.durationMs ?? 0,
      steps: trace?.steps ?? [],
    };
    if (result.status === 'succeeded') return { status: 200, body: executionResultJson(result), headers, executionId: record.id };
    return { status: 502, problem: runProblem(result), headers, executionId: record.id };
  }
}

/** The 202 body of an asynchronous run. */
export function acceptedBody(executionId: string, workflow: { name: string; namespace: string; version?: string }, status: string): Record<string, unknown> {
  const location = `/api/v1/executions/${encodeURIComponent(executionId)}`;
  return { executionId, status, workflow, links: { self: location, trace: `${location}/trace`, cancel: `${location}/cancel` } };
}

function sameTarget(a: Target, b: Target): boolean {
  return a.namespace === b.namespace && a.workflow === b.workflow && a.input === b.input;
}

function replayed(reply: Reply): Reply {
  return { ...reply, headers: { ...reply.headers, 'idempotent-replayed': 'true' } };
}

function reused(first: { namespace: string; workflow: string }): Reply {
  return {
    status: 422,
    problem: problem(422, 'WF_IDEMPOTENCY_KEY_REUSED', `The Idempotency-Key was first used for workflow '${first.namespace}/${first.workflow}' with another request`, {
      hint: 'A key stands for one request: the same workflow with the same input. Use a new key for a different request.',
    }),
    headers: {},
  };
}
