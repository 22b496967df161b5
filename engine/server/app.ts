import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { DiagnosticError, type Diagnostic } from '../model/diagnostic.js';
import { nearest } from '../model/suggest.js';
import { planWorkflow } from '../plan/index.js';
import type { CompiledTask, CompiledWorkflow, Engine } from '../run/index.js';
import { executionResultJson, type ExecutionResult, type StepTrace } from '../run/trace.js';
import type { DefinitionSource } from './definitions.js';
import { silentLogger, type Logger } from './log.js';
import { clientSignal, readBodyText, TOO_LARGE, type NodeBindings } from './node-request.js';
import { openApiDocument } from './openapi.js';
import { problem, problemFromDiagnostics, problemResponse, type Problem } from './problem.js';

export interface AppOptions {
  engine: Engine;
  /** Where the definitions come from; without it the engine's registry is served as it is and the app is ready at once. */
  definitions?: DefinitionSource;
  /** One line per request and per unexpected error. */
  log?: Logger;
  /** Largest request body accepted, in bytes (default 5 MiB). */
  maxBodyBytes?: number;
}

type Env = { Bindings: NodeBindings | undefined; Variables: { requestId: string; executionId?: string; code?: string } };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const BODY_FIELDS = new Set(['input']);

/**
 * The Weft HTTP API as a Hono app: execute and dry-run workflows, list definitions, health.
 * Every error is problem+json with a stable code and the request id.
 * @example
 * const app = createApp({ engine });
 * const res = await app.request('/api/v1/workflows/user-dashboard/execute', { method: 'POST', body: '{"input":{"userId":"7"}}' });
 */
export function createApp(options: AppOptions): Hono<Env> {
  const { engine, definitions } = options;
  const log = options.log ?? silentLogger;
  const app = new Hono<Env>();
  const ready = () => !definitions || definitions.status !== undefined;

  const fail = (c: Context<Env>, p: Problem, headers: Record<string, string> = {}) => {
    c.set('code', p.code);
    return problemResponse({ ...p, requestId: c.get('requestId'), instance: c.req.path }, headers);
  };

  app.use('*', async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    c.set('requestId', requestId);
    await next();
    c.res.headers.set('x-request-id', requestId);
    log({
      level: c.res.status >= 500 ? 'error' : c.res.status >= 400 ? 'warn' : 'info',
      msg: 'request',
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      requestId,
      ...(c.get('code') ? { code: c.get('code') } : {}),
      ...(c.get('executionId') ? { executionId: c.get('executionId') } : {}),
    });
  });

  app.onError((err, c) => {
    log({ level: 'error', msg: 'unhandled error', requestId: c.get('requestId'), error: err.message });
    return fail(c, problem(500, 'WF_INTERNAL', 'The server failed to handle the request', { hint: `Report it with the request id ${c.get('requestId')}; the server log has the cause.` }));
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', (c) => {
    const status = definitions?.status;
    if (!ready()) return fail(c, problem(503, 'WF_NOT_READY', 'Definitions are still loading', { hint: 'Retry in a moment.' }));
    return c.json({
      status: 'ready',
      workflows: engine.workflows().length,
      tasks: engine.tasks().length,
      ...(status ? { reload: { generation: status.generation, at: status.at, ok: status.ok, errors: status.diagnostics.filter((d) => d.severity === 'error').length } } : {}),
    });
  });

  app.use('/api/*', async (c, next) => {
    if (!ready()) return fail(c, problem(503, 'WF_NOT_READY', 'Definitions are still loading', { hint: 'Retry in a moment; GET /readyz answers 200 once they are loaded.' }));
    await next();
  });

  const openapi = openApiDocument();
  app.get('/api/v1/openapi.json', (c) => c.json(openapi));

  app.get('/api/v1/definitions/status', (c) => {
    if (!definitions) return c.json({ source: 'static', workflows: engine.workflows().length, tasks: engine.tasks().length });
    return c.json(definitions.status!);
  });

  app.get('/api/v1/workflows', (c) => {
    const ns = c.req.query('namespace');
    const items = engine
      .workflows()
      .filter((w) => ns === undefined || w.namespace === ns)
      .sort(byKey)
      .map(workflowSummary);
    return c.json({ items });
  });

  app.get('/api/v1/workflows/:name', (c) => {
    const found = findWorkflow(c);
    if ('problem' in found) return fail(c, found.problem);
    return c.json(workflowDetail(found.workflow));
  });

  app.get('/api/v1/tasks', (c) => {
    const ns = c.req.query('namespace');
    const items = engine
      .tasks()
      .filter((t) => ns === undefined || t.namespace === ns)
      .sort(byKey)
      .map(taskSummary);
    return c.json({ items });
  });

  app.get('/api/v1/tasks/:name', (c) => {
    const ns = c.req.query('namespace') ?? 'default';
    const name = c.req.param('name');
    const task = engine.task(name, ns);
    if (!task) {
      const close = nearest(name, engine.tasks().filter((t) => t.namespace === ns).map((t) => t.name));
      return fail(c, problem(404, 'WF_UNKNOWN_TASK', `Task '${name}' is not loaded in namespace '${ns}'`, { hint: close.length ? `Did you mean ${close.map((n) => `'${n}'`).join(' or ')}?` : 'List the loaded tasks with GET /api/v1/tasks.' }));
    }
    return c.json(taskSummary(task));
  });

  const maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024;

  app.post('/api/v1/workflows/:name/execute', async (c) => {
    const found = findWorkflow(c);
    if ('problem' in found) return fail(c, found.problem);
    const body = await readExecuteBody(c, maxBodyBytes);
    if ('problem' in body) return fail(c, body.problem);
    let input: unknown;
    try {
      input = engine.prepareInput(found.workflow, body.input);
    } catch (err) {
      if (!(err instanceof DiagnosticError)) throw err;
      return fail(c, problemFromDiagnostics(400, err.diagnostics, 'WF_INPUT_INVALID'));
    }
    const result = await engine.executeCompiled(found.workflow, input, { signal: clientSignal(c.req.raw, c.env) });
    c.set('executionId', result.executionId);
    const headers = { 'x-execution-id': result.executionId };
    if (result.status === 'succeeded') return c.json(executionResultJson(result), 200, headers);
    return fail(c, runProblem(result), headers);
  });

  app.post('/api/v1/workflows/:name/test', async (c) => {
    const found = findWorkflow(c);
    if ('problem' in found) return fail(c, found.problem);
    const body = await readExecuteBody(c, maxBodyBytes);
    if ('problem' in body) return fail(c, body.problem);
    return c.json(planWorkflow(found.workflow.resource, engine.registry, body.input));
  });

  /** The workflow named in the path (`name` or `name@version`, `?namespace=`), or a 404 problem. */
  function findWorkflow(c: Context<Env>): { workflow: CompiledWorkflow } | { problem: Problem } {
    const ns = c.req.query('namespace') ?? 'default';
    const ref = c.req.param('name') ?? '';
    const workflow = engine.resolveWorkflow(ref, ns);
    if (workflow) return { workflow };
    const at = ref.lastIndexOf('@');
    const name = at > 0 ? ref.slice(0, at) : ref;
    const unversioned = at > 0 ? engine.workflow(name, ns) : undefined;
    if (unversioned) {
      return {
        problem: problem(404, 'WF_UNKNOWN_WORKFLOW_VERSION', `Workflow '${name}' has no version '${ref.slice(at + 1)}' in namespace '${ns}'`, {
          hint: `The loaded version is ${unversioned.version.slice(0, 12)}${unversioned.resource.metadata.annotations?.['workflow.io/version'] ? ` (annotated ${unversioned.resource.metadata.annotations['workflow.io/version']})` : ''}.`,
        }),
      };
    }
    const names = engine.workflows().filter((w) => w.namespace === ns).map((w) => w.name);
    const close = nearest(name, names);
    const elsewhere = engine.workflows().filter((w) => w.name === name).map((w) => w.namespace);
    const hint = close.length
      ? `Did you mean ${close.map((n) => `'${n}'`).join(' or ')}?`
      : elsewhere.length
        ? `It is loaded in namespace ${elsewhere.map((n) => `'${n}'`).join(', ')}; add ?namespace=${elsewhere[0]}.`
        : 'List the loaded workflows with GET /api/v1/workflows.';
    return { problem: problem(404, 'WF_UNKNOWN_WORKFLOW', `Workflow '${name}' is not loaded in namespace '${ns}'`, { hint }) };
  }

  app.notFound((c) => {
    const allow = allowedMethods(app, c.req.path);
    if (allow.length) {
      return fail(c, problem(405, 'WF_METHOD_NOT_ALLOWED', `${c.req.path} does not answer ${c.req.method}`, { hint: `Use ${allow.join(' or ')}.` }), { allow: allow.join(', ') });
    }
    return fail(c, problem(404, 'WF_ROUTE_NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`, { hint: 'The API lives under /api/v1: GET /api/v1/workflows lists the workflows.' }));
  });

  return app;
}

/**
 * Reads `{"input": {...}}` whatever the content type says (curl -d sends form-urlencoded). A missing
 * body means no input; anything that is not a JSON object with only known fields is a 400 listing
 * every problem.
 */
async function readExecuteBody(c: Context<Env>, maxBytes: number): Promise<{ input: unknown } | { problem: Problem }> {
  const text = await readBodyText(c.req.raw, c.env, maxBytes);
  if (text === TOO_LARGE) {
    return { problem: problem(413, 'WF_REQUEST_TOO_LARGE', `The request body is larger than ${maxBytes} bytes`, { hint: 'Send a smaller input.' }) };
  }
  if (text.trim() === '') return { input: undefined };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    const type = c.req.header('content-type')?.split(';')[0];
    const message = `The request body is not valid JSON: ${(err as Error).message}`;
    const hint = `Send a JSON object such as {"input": {"userId": "7"}}${type && !/json/i.test(type) ? ` with content-type: application/json (this request says ${type})` : ''}.`;
    const d: Diagnostic = { code: 'WF_REQUEST_MALFORMED_JSON', severity: 'error', message, hint, pointer: '' };
    return { problem: problemFromDiagnostics(400, [d], d.code) };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const d: Diagnostic = { code: 'WF_REQUEST_INVALID', severity: 'error', message: `The request body is ${Array.isArray(body) ? 'an array' : body === null ? 'null' : `a ${typeof body}`}, not an object`, hint: 'Send {"input": {...}}.', pointer: '' };
    return { problem: problemFromDiagnostics(400, [d], d.code) };
  }
  const unknown = Object.keys(body).filter((k) => !BODY_FIELDS.has(k));
  if (unknown.length) {
    const errors: Diagnostic[] = unknown.map((k) => ({
      code: 'WF_REQUEST_UNKNOWN_FIELD',
      severity: 'error',
      message: `'${k}' is not a field of the request body`,
      hint: `Put the workflow input under "input": {"input": {"${k}": …}}.`,
      pointer: `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`,
    }));
    return { problem: problemFromDiagnostics(400, errors, 'WF_REQUEST_UNKNOWN_FIELD') };
  }
  return { input: (body as { input?: unknown }).input };
}

/** The 502 problem of a run that did not succeed: the step error leads, the whole execution follows. */
export function runProblem(result: ExecutionResult): Problem {
  const err = result.error;
  const code = err?.code ?? (result.status === 'timed_out' ? 'WF_RUN_TIMEOUT' : result.status === 'cancelled' ? 'WF_RUN_CANCELLED' : 'WF_RUN_FAILED');
  const detail = err ? (err.step ? `Step '${err.step}' failed: ${err.message}` : err.message) : `The run ended ${result.status}`;
  const errors: Diagnostic[] = [];
  result.steps.forEach((s, i) => collectFailures(s, `/execution/trace/${i}`, errors));
  return problem(502, code, detail, {
    title: result.status === 'timed_out' ? 'Workflow timed out' : 'Workflow run failed',
    hint: err?.hint,
    errors,
    execution: executionResultJson(result),
  });
}

function collectFailures(s: StepTrace, pointer: string, out: Diagnostic[]): void {
  if (s.status !== 'failed' || !s.error) return;
  const nested = s.children?.some((c) => c.status === 'failed' && c.error);
  if (nested && s.kind !== 'forEach') {
    s.children!.forEach((c, i) => collectFailures(c, `${pointer}/children/${i}`, out));
    return;
  }
  out.push({ code: s.error.code, severity: 'error', message: `Step '${s.id}' failed: ${s.error.message}`, ...(s.error.hint ? { hint: s.error.hint } : {}), pointer });
}

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key.localeCompare(b.key);
}

function workflowSummary(w: CompiledWorkflow): Record<string, unknown> {
  const pos = w.resource.source.locate('');
  return {
    name: w.name,
    namespace: w.namespace,
    version: w.version,
    ...(w.resource.spec.description ? { description: w.resource.spec.description } : {}),
    file: w.resource.source.file,
    line: pos.line,
    stepCount: w.resource.spec.tasks?.length ?? 0,
    timeoutMs: w.timeoutMs,
    inputSchema: w.resource.spec.input ?? { type: 'object' },
  };
}

function workflowDetail(w: CompiledWorkflow): Record<string, unknown> {
  return {
    ...workflowSummary(w),
    steps: w.group.steps.map((s) => {
      const spec = w.resource.spec.tasks[s.index];
      return {
        id: s.id,
        ...(spec.taskRef ? { taskRef: spec.taskRef } : {}),
        ...(spec.workflowRef ? { workflowRef: spec.workflowRef } : {}),
        kind: s.forEach ? 'forEach' : s.body.kind,
        dependsOn: s.deps.map((d) => w.group.steps[d].id),
      };
    }),
    output: w.resource.spec.output ?? null,
  };
}

function taskSummary(t: CompiledTask): Record<string, unknown> {
  const spec = t.resource.spec;
  const pos = t.resource.source.locate('');
  return {
    name: t.name,
    namespace: t.namespace,
    version: t.version,
    type: t.type,
    ...(spec.description ? { description: spec.description } : {}),
    file: t.resource.source.file,
    line: pos.line,
    ...(spec.http ? { method: t.http?.method, url: spec.http.url } : {}),
    ...(t.timeoutMs !== undefined ? { timeoutMs: t.timeoutMs } : {}),
    inputSchema: spec.inputSchema ?? null,
    outputSchema: spec.outputSchema ?? null,
  };
}

/** The methods the app's routes answer for a path (middleware excluded). */
function allowedMethods(app: Hono<Env>, path: string): string[] {
  const out = new Set<string>();
  for (const r of app.routes) {
    if (r.method === 'ALL') continue;
    const pattern = new RegExp(`^${r.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]\w*/g, '[^/]+')}$`);
    if (pattern.test(path)) out.add(r.method);
  }
  return [...out].sort();
}
