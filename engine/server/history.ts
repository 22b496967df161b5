import type { Hono } from 'hono';
import { DiagnosticError } from '../model/diagnostic.js';
import { nearest } from '../model/suggest.js';
import type { WorkflowSpec } from '../model/types.js';
import type { Engine } from '../run/index.js';
import { stepTraceJson } from '../run/trace.js';
import type { ExecutionQuery, ExecutionStatus, ExecutionStore, ExecutionSummary, StepRecord } from '../store/store.js';
import type { BackgroundRuns } from './async.js';
import type { Logger } from './log.js';
import { fail, historyOff, isoTime, QueryError, QueryReader, type ApiContext, type Env } from './context.js';
import { problem, problemFromDiagnostics, type Problem } from './problem.js';
import { analyzeTrace } from './trace-view.js';

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['running', 'succeeded', 'failed', 'timed_out', 'cancelled'];
/** Default time range of the statistics routes: the last 24 hours. */
const DEFAULT_STATS_RANGE_MS = 24 * 60 * 60 * 1000;

export interface HistoryRoutesOptions {
  engine: Engine;
  store?: ExecutionStore;
  runs?: BackgroundRuns;
  log: Logger;
}

/**
 * The execution history routes: listings with filters and cursor pagination, one execution,
 * its trace analysis, definition versions, per-workflow and per-task statistics, and cancel.
 * Without a store they answer 503 WF_HISTORY_OFF.
 */
export function registerHistoryRoutes(app: Hono<Env>, options: HistoryRoutesOptions): void {
  const { engine, runs } = options;

  /**
   * Runs the handler with the store, turning query and store diagnostics into 400 problems and
   * a failing database into 503 (the cause goes to the log only).
   */
  const withStore = (handler: (c: ApiContext, store: ExecutionStore) => Promise<Response>) => async (c: ApiContext) => {
    const store = options.store;
    if (!store) return fail(c, historyOff());
    try {
      return await handler(c, store);
    } catch (err) {
      if (err instanceof QueryError) return fail(c, err.problem);
      if (err instanceof DiagnosticError) return fail(c, problemFromDiagnostics(400, err.diagnostics.map((d) => ({ ...d, pointer: d.pointer ? `/query${d.pointer}` : d.pointer })), 'WF_QUERY_INVALID'));
      options.log({ level: 'error', msg: 'history query failed', requestId: c.get('requestId'), error: (err as Error).message });
      return fail(c, problem(503, 'WF_HISTORY_UNAVAILABLE', 'The history database did not answer the query', { hint: `Retry in a moment; if it persists, check the database (the server log has the cause under request id ${c.get('requestId')}).` }));
    }
  };

  const list = async (c: ApiContext, store: ExecutionStore, fixed: { workflow?: string; namespace?: string }, params: string[]) => {
    const q = new QueryReader(c, params);
    const query: ExecutionQuery = {
      workflow: fixed.workflow ?? q.string('workflow'),
      namespace: fixed.namespace ?? q.string('namespace'),
      status: q.oneOf('status', EXECUTION_STATUSES),
      from: q.time('from'),
      to: q.time('to'),
      limit: q.integer('limit', 1, 1000) ?? 50,
      cursor: q.string('cursor'),
    };
    q.done();
    const page = await store.listExecutions(query);
    const body: Record<string, unknown> = { items: page.items.map(summaryJson) };
    const headers: Record<string, string> = {};
    if (page.nextCursor) {
      const next = new URL(c.req.url);
      next.searchParams.set('cursor', page.nextCursor);
      body.next = `${next.pathname}${next.search}`;
      headers.link = `<${body.next}>; rel="next"`;
    }
    return c.json(body, 200, headers);
  };

  app.get(
    '/api/v1/executions',
    withStore((c, store) => list(c, store, {}, ['workflow', 'namespace', 'status', 'from', 'to', 'limit', 'cursor'])),
  );

  app.get(
    '/api/v1/workflows/:name/executions',
    withStore((c, store) => list(c, store, { workflow: param(c, 'name'), namespace: c.req.query('namespace') ?? 'default' }, ['namespace', 'status', 'from', 'to', 'limit', 'cursor'])),
  );

  app.get(
    '/api/v1/executions/:id',
    withStore(async (c, store) => {
      new QueryReader(c, []).done();
      const record = await store.getExecution(param(c, 'id'));
      if (!record) return fail(c, unknownExecution(param(c, 'id')));
      return c.json({
        ...summaryJson(record),
        ...(record.input !== undefined ? { input: record.input } : {}),
        ...(record.output !== undefined ? { output: record.output } : {}),
        steps: record.steps.map(stepRecordJson),
      });
    }),
  );

  app.get(
    '/api/v1/executions/:id/trace',
    withStore(async (c, store) => {
      new QueryReader(c, []).done();
      const view = await traceView(store, param(c, 'id'), engine);
      return view ? c.json(view) : fail(c, unknownExecution(param(c, 'id')));
    }),
  );

  app.get(
    '/api/v1/workflows/:name/versions',
    withStore(async (c, store) => {
      const q = new QueryReader(c, ['namespace']);
      const namespace = q.string('namespace') ?? 'default';
      q.done();
      const name = param(c, 'name');
      const versions = await store.listVersions(namespace, name);
      if (!versions.length && !engine.workflow(name, namespace)) return fail(c, unknownWorkflow(engine, name, namespace));
      const current = engine.workflow(name, namespace)?.version;
      return c.json({
        items: versions.map((v) => ({ version: v.version, firstSeen: isoTime(v.firstSeen), current: v.version === current, definition: v.snapshot })),
        ...(current ? { current } : {}),
      });
    }),
  );

  app.get(
    '/api/v1/workflows/:name/stats',
    withStore(async (c, store) => {
      const q = new QueryReader(c, ['namespace', 'from', 'to']);
      const namespace = q.string('namespace') ?? 'default';
      const range = statsRange(q);
      q.done();
      const name = param(c, 'name');
      const [stats] = await store.workflowStats({ namespace, workflow: name, ...range });
      if (!stats && !engine.workflow(name, namespace) && !(await store.listVersions(namespace, name)).length) return fail(c, unknownWorkflow(engine, name, namespace));
      return c.json({ namespace, workflow: name, from: isoTime(range.from), to: isoTime(range.to), ...(stats ? durationJson(stats) : emptyStats()) });
    }),
  );

  app.get(
    '/api/v1/tasks/:name/stats',
    withStore(async (c, store) => {
      const q = new QueryReader(c, ['namespace', 'workflow', 'from', 'to']);
      const namespace = q.string('namespace') ?? 'default';
      const workflow = q.string('workflow');
      const range = statsRange(q);
      q.done();
      const name = param(c, 'name');
      const [stats] = await store.taskStats({ namespace, task: name, ...(workflow ? { workflow } : {}), ...range });
      if (!stats && !engine.task(name, namespace)) {
        const close = nearest(name, engine.tasks().filter((t) => t.namespace === namespace).map((t) => t.name));
        return fail(c, problem(404, 'WF_UNKNOWN_TASK', `Task '${name}' is not loaded in namespace '${namespace}' and has no recorded steps`, { hint: close.length ? `Did you mean ${close.map((n) => `'${n}'`).join(' or ')}?` : 'List the loaded tasks with GET /api/v1/tasks.' }));
      }
      return c.json({ namespace, task: name, ...(workflow ? { workflow } : {}), from: isoTime(range.from), to: isoTime(range.to), ...(stats ? durationJson(stats) : emptyStats()) });
    }),
  );

  app.post(
    '/api/v1/executions/:id/cancel',
    withStore(async (c, store) => {
      const q = new QueryReader(c, ['force']);
      const force = q.oneOf('force', ['true', 'false']) === 'true';
      q.done();
      const id = param(c, 'id');
      c.set('executionId', id);
      const result = await runs?.cancel(id);
      if (result && result.status !== 'cancelled') return fail(c, finished(id, result.status));
      if (result) {
        const record = await store.getExecution(id);
        return c.json(record ? summaryJson(record) : { id, status: result.status });
      }
      const record = await store.getExecution(id);
      if (!record) return fail(c, unknownExecution(id));
      if (record.status !== 'running') return fail(c, finished(id, record.status));
      if (force) {
        const scopes = c.get('scopes');
        if (scopes && !scopes.has('admin')) {
          return fail(c, problem(403, 'WF_AUTH_SCOPE', `force=true needs the 'admin' scope; the token '${c.get('principal')}' lacks it`, { hint: 'Ask an operator with an admin token, or cancel on the replica that runs it.' }), { 'www-authenticate': 'Bearer realm="weft", error="insufficient_scope", scope="admin"' });
        }
        if (!(await store.markCancelled(id))) return fail(c, finished(id, (await store.getExecution(id))?.status ?? 'unknown'));
        const marked = await store.getExecution(id);
        return c.json(summaryJson(marked!));
      }
      return fail(
        c,
        problem(409, 'WF_EXECUTION_ELSEWHERE', `Execution ${id} is running, but not in this engine process`, {
          hint: 'Another engine replica started it: send the cancel to that replica (the one that answered 202), or wait for the run to end. When that replica has stopped, an admin token may mark the run cancelled with ?force=true.',
        }),
      );
    }),
  );
}

/**
 * The trace of a stored execution as `GET /api/v1/executions/{id}/trace` answers it: the
 * summary, planned against actual parallel groups, waits, child runs and the nested steps.
 * Undefined when the store has no such execution.
 */
export async function traceView(store: ExecutionStore, id: string, engine?: Engine): Promise<Record<string, unknown> | undefined> {
  const trace = await store.getTrace(id);
  if (!trace) return undefined;
  const { execution } = trace;
  const spec = await plannedSpec(store, engine, execution);
  const analysis = analyzeTrace(trace.steps, spec?.tasks);
  return {
    execution: summaryJson(execution),
    parallelGroups: { planned: analysis.plannedGroups ?? null, actual: analysis.actualGroups },
    waitMs: analysis.waitMs,
    childRuns: analysis.childRuns,
    trace: trace.steps.map(stepTraceJson),
  };
}

/** The definition of the version that ran: the stored snapshot, else the loaded one when its version matches. */
async function plannedSpec(store: ExecutionStore, engine: Engine | undefined, execution: ExecutionSummary): Promise<WorkflowSpec | undefined> {
  const loaded = engine?.workflow(execution.workflow, execution.namespace);
  if (loaded && (!execution.version || loaded.version === execution.version)) return loaded.resource.spec;
  if (!execution.version) return undefined;
  const stored = await store.getDefinitionVersion('Workflow', execution.namespace, execution.workflow, execution.version);
  return (stored?.snapshot as { spec?: WorkflowSpec } | undefined)?.spec;
}

function statsRange(q: QueryReader): { from: number; to: number } {
  const to = q.time('to') ?? Date.now();
  const from = q.time('from') ?? to - DEFAULT_STATS_RANGE_MS;
  if (from >= to) q.add('from', 'WF_QUERY_INVALID', 'from must be before to', 'Give a range such as from=2024-06-01T00:00:00Z&to=2024-06-02T00:00:00Z (default: the last 24 hours).');
  return { from, to };
}

/** The JSON of an execution summary: RFC 3339 times and links. */
export function summaryJson(s: ExecutionSummary): Record<string, unknown> {
  const self = `/api/v1/executions/${encodeURIComponent(s.id)}`;
  const out: Record<string, unknown> = { id: s.id, namespace: s.namespace, workflow: s.workflow };
  if (s.version !== undefined) out.version = s.version;
  out.status = s.status;
  if (s.trigger !== undefined) out.trigger = s.trigger;
  if (s.parentId !== undefined) out.parentId = s.parentId;
  out.startedAt = isoTime(s.startedAt);
  if (s.endedAt !== undefined) out.endedAt = isoTime(s.endedAt);
  if (s.durationMs !== undefined) out.durationMs = round(s.durationMs);
  if (s.error !== undefined) out.error = s.error;
  out.links = { self, trace: `${self}/trace` };
  return out;
}

function stepRecordJson(s: StepRecord): Record<string, unknown> {
  return {
    ...s,
    readyAt: isoTime(s.readyAt),
    startedAt: isoTime(s.startedAt),
    endedAt: isoTime(s.endedAt),
    durationMs: s.durationMs === undefined ? undefined : round(s.durationMs),
    waitMs: s.waitMs === undefined ? undefined : round(s.waitMs),
    attempts: s.attempts.map((a) => ({ ...a, startedAt: isoTime(a.startedAt), durationMs: round(a.durationMs) })),
  };
}

function durationJson(s: { count: number; succeeded: number; successRate: number; p50: number | null; p95: number | null; p99: number | null }) {
  const r = (v: number | null) => (v === null ? null : round(v));
  return { count: s.count, succeeded: s.succeeded, successRate: s.successRate, durationMs: { p50: r(s.p50), p95: r(s.p95), p99: r(s.p99) } };
}

function emptyStats() {
  return { count: 0, succeeded: 0, successRate: 0, durationMs: { p50: null, p95: null, p99: null } };
}

function unknownExecution(id: string): Problem {
  return problem(404, 'WF_UNKNOWN_EXECUTION', `No execution '${id}' is in the history`, { hint: 'List executions with GET /api/v1/executions; ids are in the x-execution-id header of execute answers.' });
}

function finished(id: string, status: string): Problem {
  return problem(409, 'WF_EXECUTION_FINISHED', `Execution ${id} has already ended (${status})`, { hint: `Its outcome is at GET /api/v1/executions/${encodeURIComponent(id)}.` });
}

function unknownWorkflow(engine: Engine, name: string, namespace: string): Problem {
  const close = nearest(name, engine.workflows().filter((w) => w.namespace === namespace).map((w) => w.name));
  return problem(404, 'WF_UNKNOWN_WORKFLOW', `Workflow '${name}' is not loaded in namespace '${namespace}' and has no history`, {
    hint: close.length ? `Did you mean ${close.map((n) => `'${n}'`).join(' or ')}?` : 'List the loaded workflows with GET /api/v1/workflows.',
  });
}

/** A path parameter of the matched route. */
const param = (c: ApiContext, name: string): string => c.req.param(name) ?? '';

const round = (ms: number) => Math.round(ms * 1000) / 1000;
