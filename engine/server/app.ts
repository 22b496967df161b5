import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { matchedRoutes } from 'hono/route';
import { DiagnosticError, type Diagnostic } from '../model/diagnostic.js';
import { nearest } from '../model/suggest.js';
import { planWorkflow } from '../plan/index.js';
import type { AbortFanout, CompiledTask, CompiledWorkflow, Engine } from '../run/index.js';
import { executionResultJson } from '../run/trace.js';
import { ExecutionRecorder } from '../store/recorder.js';
import type { DefinitionCache } from '../store/definition-cache.js';
import type { ExecutionStore } from '../store/store.js';
import { BackgroundRuns, type CallbackOptions } from './async.js';
import { authenticate, type AuthConfig } from './auth.js';
import { registerCatalogRoutes } from './catalog.js';
import { fail, jsonReply, parsePrefer, requestHeader, type ApiContext, type Env } from './context.js';
import type { DefinitionSource } from './definitions.js';
import { registerHistoryRoutes } from './history.js';
import { acceptedBody, IdempotencyGate, validIdempotencyKey, type Reply } from './idempotency.js';
import { silentLogger, type LogEntry, type Logger } from './log.js';
import { Metrics, METRICS_CONTENT_TYPE } from './metrics.js';
import { clientController, nodeHeader, readBodyText, readNodeBody, responseController, TOO_LARGE } from './node-request.js';
import { openApiDocument, operationScopes } from './openapi.js';
import { problem, problemFromDiagnostics, problemText, PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';
import { runProblem } from './run-problem.js';

export { runProblem } from './run-problem.js';

export interface AppOptions {
  engine: Engine;
  /** Where the definitions come from; without it the engine's registry is served as it is and the app is ready at once. */
  definitions?: DefinitionSource;
  /** One line per request and per unexpected error. */
  log?: Logger;
  /** Largest request body accepted, in bytes (default 5 MiB). */
  maxBodyBytes?: number;
  /**
   * Execution history. With it a synchronous execute answers once its record is durable, and
   * asynchronous runs, cancel, `Idempotency-Key` and the history routes work; without it those
   * answer 503 WF_HISTORY_OFF (or 400 for the execute options that need it).
   */
  store?: ExecutionStore;
  /** Asynchronous runs of this process (created over `store` when absent). */
  runs?: BackgroundRuns;
  /** Bearer-token auth on every route but health, readiness and the OpenAPI document. Absent: no auth. */
  auth?: AuthConfig;
  /** Where `/metrics` reads from (created when absent). */
  metrics?: Metrics;
  /** Delivery of asynchronous runs' callbacks. */
  callback?: CallbackOptions;
  /** The definition cache the catalog routes (`/api/v1/catalog/*`) query; without it they answer 503 WF_CATALOG_OFF. */
  catalog?: DefinitionCache;
  /**
   * Whether the engine serves definitions (`/readyz`, and every API route but the OpenAPI
   * document answers 503 until then). Default: once `definitions` has loaded (at once without it).
   */
  ready?: () => boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id a request gave (when it is a plain token), or a fresh one. */
function requestIdOf(given: string | undefined): string {
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** One answered request, as the metrics and the access log see it. */
interface Answered {
  method: string;
  /** The route pattern; undefined when no route matched. */
  route: string | undefined;
  path: string;
  status: number;
  started: number;
  requestId: string;
  code?: string;
  executionId?: string;
  principal?: string;
}

/** What the execute route reads from a request, whichever path it came by. */
interface ExecuteRequest {
  ref: string;
  namespace: string | undefined;
  mode: string | undefined;
  prefer: string | undefined;
  idempotencyKey: string | undefined;
  contentType: string | undefined;
  text: string | typeof TOO_LARGE;
  controller: AbortFanout;
}

const EXECUTE_ROUTE = '/api/v1/workflows/:name/execute';
const EXECUTE_OPERATION = 'POST /api/v1/workflows/{name}/execute';
const EXECUTE_URL = /^\/api\/v1\/workflows\/([^/?#]+)\/execute(?:\?(.*))?$/;

/** The Node path of each app's execute route (see `nodeListener`). */
const nodeRoutes = new WeakMap<Hono<Env>, (req: IncomingMessage, res: ServerResponse) => boolean>();

/**
 * The node:http request listener of an app made by `createApp`: the execute route is served
 * directly on Node's request and response, every other request by Hono (@hono/node-server).
 */
export function nodeListener(app: Hono<Env>): (req: IncomingMessage, res: ServerResponse) => void {
  const viaHono = getRequestListener(app.fetch);
  const direct = nodeRoutes.get(app);
  return (req, res) => {
    if (!direct?.(req, res)) void viaHono(req, res);
  };
}
const BODY_FIELDS = new Set(['input', 'callbackUrl']);

/**
 * The Weft HTTP API as a Hono app: execute and dry-run workflows, list definitions, health.
 * Every error is problem+json with a stable code and the request id.
 * @example
 * const app = createApp({ engine });
 * const res = await app.request('/api/v1/workflows/user-dashboard/execute', { method: 'POST', body: '{"input":{"userId":"7"}}' });
 */
export function createApp(options: AppOptions): Hono<Env> {
  const { engine, definitions, store } = options;
  const log = options.log ?? silentLogger;
  const app = new Hono<Env>();
  const ready = options.ready ?? (() => !definitions || definitions.status !== undefined);
  const recorder = store ? new ExecutionRecorder(store, engine) : undefined;
  // The metrics read the number of running runs when scraped, so they may be made first.
  let runs: BackgroundRuns | undefined;
  const metrics = options.metrics ?? new Metrics({ httpPools: () => engine.http.agent.stats as never, runningExecutions: () => runs?.size ?? 0 });
  runs = options.runs ?? (recorder ? new BackgroundRuns({ engine, recorder, metrics, log, callback: options.callback }) : undefined);
  const idempotency = store ? new IdempotencyGate(store) : undefined;
  const openapi = openApiDocument();
  const scopes = operationScopes(openapi);

  /** The metrics and the access-log line of one answered request (the Hono app's and the Node execute path's). */
  const answered = (r: Answered): void => {
    metrics.observeRequest(r.method, r.route ?? 'unmatched', r.status, (performance.now() - r.started) / 1000);
    const entry: LogEntry = {
      level: r.status >= 500 ? 'error' : r.status >= 400 ? 'warn' : 'info',
      msg: 'request',
      method: r.method,
      path: r.path,
      status: r.status,
      durationMs: Math.round((performance.now() - r.started) * 1000) / 1000,
      requestId: r.requestId,
    };
    // Set only when present (no object spread per request).
    if (r.code) entry.code = r.code;
    if (r.executionId) entry.executionId = r.executionId;
    if (r.principal) entry.token = r.principal;
    log(entry);
  };

  app.use('*', async (c, next) => {
    const started = performance.now();
    const requestId = requestIdOf(requestHeader(c, 'x-request-id'));
    c.set('requestId', requestId);
    // Under Node the header goes on the Node response, merged into whatever the route answers.
    const outgoing = c.env?.outgoing;
    outgoing?.setHeader('x-request-id', requestId);
    await next();
    if (!outgoing) c.res.headers.set('x-request-id', requestId);
    answered({ method: c.req.method, route: routeOf(c), path: c.req.path, status: c.res.status, started, requestId, code: c.get('code'), executionId: c.get('executionId'), principal: c.get('principal') });
  });

  if (options.auth) {
    const auth = options.auth;
    app.use('*', async (c, next) => {
      const route = routeOf(c);
      const key = route ? `${c.req.method} ${route.replace(/:(\w+)/g, '{$1}')}` : undefined;
      // Documented public routes are open; every other route (unknown ones too) needs a token.
      const scope = key === undefined ? undefined : scopes.get(key);
      if (scope === null) return next();
      const outcome = authenticate(auth, requestHeader(c, 'authorization'), scope);
      if (!outcome.ok) {
        return fail(c, problem(outcome.status, outcome.code, outcome.detail, { hint: outcome.hint }), outcome.challenge ? { 'www-authenticate': outcome.challenge } : {});
      }
      c.set('principal', outcome.name);
      c.set('scopes', outcome.scopes);
      await next();
    });
  }

  /** The 500 problem of an unexpected failure: the log has the cause, the answer only the request id. */
  const internalError = (err: Error, requestId: string): Problem => {
    log({ level: 'error', msg: 'unhandled error', requestId, error: err.message });
    return problem(500, 'WF_INTERNAL', 'The server failed to handle the request', { hint: `Report it with the request id ${requestId}; the server log has the cause.` });
  };

  app.onError((err, c) => fail(c, internalError(err, c.get('requestId'))));

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

  const notReady = (): Problem => problem(503, 'WF_NOT_READY', 'Definitions are still loading', { hint: 'Retry in a moment; GET /readyz answers 200 once they are loaded.' });

  app.use('/api/*', async (c, next) => {
    // The OpenAPI document does not depend on the definitions: it is served while they load.
    if (!ready() && c.req.path !== '/api/v1/openapi.json') return fail(c, notReady());
    await next();
  });

  app.get('/metrics', (c) => c.body(metrics.render(), 200, { 'content-type': METRICS_CONTENT_TYPE }));

  app.get('/api/v1/openapi.json', (c) => c.json(openapi));

  app.get('/api/v1/definitions/status', (c) => {
    if (!definitions) return c.json({ source: 'static', workflows: engine.workflows().length, tasks: engine.tasks().length });
    // Ready before the first reload finished: serving what the definition cache held.
    if (!definitions.status) return c.json({ source: 'cache', loading: true, workflows: engine.workflows().length, tasks: engine.tasks().length });
    return c.json(definitions.status);
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
    const reply = await execute({
      ref: c.req.param('name'),
      namespace: c.req.query('namespace'),
      mode: c.req.query('mode'),
      prefer: requestHeader(c, 'prefer'),
      idempotencyKey: requestHeader(c, 'idempotency-key'),
      contentType: requestHeader(c, 'content-type'),
      text: await readBodyText(c.req.raw, c.env, maxBodyBytes),
      controller: clientController(c.req.raw, c.env),
    });
    if (reply.executionId) c.set('executionId', reply.executionId);
    if (reply.problem) return fail(c, reply.problem, reply.headers);
    return jsonReply(c, reply.body, reply.status, reply.headers);
  });

  /** Execute, whichever path the request came by: find the workflow, read the body and options, check the input, run. */
  async function execute(r: ExecuteRequest): Promise<Reply> {
    const refused = (p: Problem): Reply => ({ status: p.status, problem: p, headers: {} });
    const found = findWorkflowRef(r.ref, r.namespace ?? 'default');
    if ('problem' in found) return refused(found.problem);
    const workflow = found.workflow;
    const body = parseExecuteBody(r.text, r.contentType, maxBodyBytes);
    if ('problem' in body) return refused(body.problem);
    const options = executeOptions(r, body);
    if ('problem' in options) return refused(options.problem);
    let input: unknown;
    try {
      input = engine.prepareInput(workflow, body.input, true);
    } catch (err) {
      if (!(err instanceof DiagnosticError)) throw err;
      return refused(problemFromDiagnostics(400, err.diagnostics, 'WF_INPUT_INVALID'));
    }
    const { key, respondAsync, returnMinimal } = options;
    const run = (): Promise<Reply> => (respondAsync ? runAsync(workflow, input, key, body.callbackUrl) : runSync(r.controller, workflow, input, key, returnMinimal));
    return key ? idempotency!.run(key, { namespace: workflow.namespace, workflow: workflow.name, input }, run) : run();
  }

  /**
   * The execute route served straight on node:http: the same `execute`, request id, auth,
   * readiness, problems, metrics and access log as through Hono, without building web Request,
   * Response and Headers objects per request (they cost more than the engine's own work for a
   * four-call workflow). Answers false, before reading anything, for requests it does not serve.
   */
  const serveNodeExecute = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const m = EXECUTE_URL.exec(url);
    if (!m) return false;
    let ref: string;
    try {
      ref = decodeURIComponent(m[1]);
    } catch {
      return false;
    }
    void nodeExecute(req, res, ref, m[2]);
    return true;
  };

  async function nodeExecute(req: IncomingMessage, res: ServerResponse, ref: string, query: string | undefined): Promise<void> {
    const started = performance.now();
    const requestId = requestIdOf(nodeHeader(req, 'x-request-id'));
    const path = query === undefined ? req.url! : req.url!.slice(0, req.url!.indexOf('?'));
    let principal: string | undefined;
    let reply: Reply;
    try {
      const outcome = options.auth ? authenticate(options.auth, nodeHeader(req, 'authorization'), scopes.get(EXECUTE_OPERATION) ?? undefined) : undefined;
      if (outcome && !outcome.ok) {
        reply = { status: outcome.status, problem: problem(outcome.status, outcome.code, outcome.detail, { hint: outcome.hint }), headers: outcome.challenge ? { 'www-authenticate': outcome.challenge } : {} };
      } else if (!ready()) {
        reply = { status: 503, problem: notReady(), headers: {} };
      } else {
        principal = outcome?.name;
        const params = query ? new URLSearchParams(query) : undefined;
        reply = await execute({
          ref,
          namespace: params?.get('namespace') ?? undefined,
          mode: params?.get('mode') ?? undefined,
          prefer: nodeHeader(req, 'prefer'),
          idempotencyKey: nodeHeader(req, 'idempotency-key'),
          contentType: nodeHeader(req, 'content-type'),
          text: await readNodeBody(req, maxBodyBytes),
          controller: responseController(res),
        });
      }
    } catch (err) {
      const p = internalError(err as Error, requestId);
      reply = { status: p.status, problem: p, headers: {} };
    }
    const headers: Record<string, string> = { 'x-request-id': requestId, ...reply.headers };
    const text = reply.problem ? problemText({ ...reply.problem, requestId, instance: path }) : JSON.stringify(reply.body);
    headers['content-type'] = reply.problem ? PROBLEM_CONTENT_TYPE : 'application/json';
    headers['content-length'] = String(Buffer.byteLength(text));
    if (!res.destroyed) {
      res.writeHead(reply.status, headers);
      res.end(text);
    }
    answered({ method: 'POST', route: EXECUTE_ROUTE, path, status: reply.status, started, requestId, code: reply.problem?.code, executionId: reply.executionId, principal });
  }
  nodeRoutes.set(app, serveNodeExecute);

  /**
   * `Prefer: respond-async` or `?mode=async`, and `Idempotency-Key` (both need the history);
   * `Prefer: return=minimal` (a 200 answer without the trace).
   */
  function executeOptions(r: ExecuteRequest, body: ExecuteBody): { key?: string; respondAsync: boolean; returnMinimal: boolean } | { problem: Problem } {
    const mode = r.mode;
    if (mode !== undefined && mode !== 'sync' && mode !== 'async') {
      return { problem: problemFromDiagnostics(400, [{ code: 'WF_QUERY_INVALID', severity: 'error', message: `mode '${mode}' is not one of sync, async`, hint: 'Use ?mode=async to answer 202 at once, or leave it out to wait for the output.', pointer: '/query/mode' }], 'WF_QUERY_INVALID') };
    }
    const prefer = parsePrefer(r.prefer);
    const respondAsync = mode === 'async' || (mode === undefined && prefer.respondAsync);
    const key = r.idempotencyKey;
    const needHistory = (what: string) => ({ problem: problem(400, 'WF_HISTORY_REQUIRED', `${what} needs execution history, which is off on this server`, { hint: 'Start weft serve without --no-history, or send the request without it.' }) });
    if (key !== undefined && !validIdempotencyKey(key)) {
      return { problem: problemFromDiagnostics(400, [{ code: 'WF_IDEMPOTENCY_KEY_INVALID', severity: 'error', message: 'The Idempotency-Key header must be 1 to 255 visible ASCII characters', hint: 'Send a unique id per request, such as a UUID.', pointer: '/headers/idempotency-key' }], 'WF_IDEMPOTENCY_KEY_INVALID') };
    }
    if (body.callbackUrl !== undefined && !respondAsync) {
      return { problem: problemFromDiagnostics(400, [{ code: 'WF_CALLBACK_NEEDS_ASYNC', severity: 'error', message: 'callbackUrl is only used by asynchronous runs', hint: 'Add the header Prefer: respond-async (or ?mode=async), or leave callbackUrl out.', pointer: '/callbackUrl' }], 'WF_CALLBACK_NEEDS_ASYNC') };
    }
    if (respondAsync && !runs) return needHistory('An asynchronous run');
    if (key !== undefined && !idempotency) return needHistory('Idempotency-Key');
    return { key, respondAsync, returnMinimal: prefer.returnMinimal };
  }

  /**
   * Runs and waits; with history, answers once the record is durable (shared commits). A
   * successful run answers its result without the trace when the caller asked for
   * `return=minimal`; a failed one always carries it.
   */
  async function runSync(controller: AbortFanout, workflow: CompiledWorkflow, input: unknown, key: string | undefined, returnMinimal: boolean): Promise<Reply> {
    const result = await engine.executeCompiled(workflow, input, { controller });
    metrics.observeExecution(result);
    const headers = { 'x-execution-id': result.executionId };
    if (recorder) {
      try {
        await recorder.record(result, { input, trigger: 'api', ...(key ? { idempotencyKey: key } : {}) });
      } catch (err) {
        log({ level: 'error', msg: 'recording a run failed', executionId: result.executionId, error: (err as Error).message });
        return {
          status: 503,
          problem: problem(503, 'WF_HISTORY_WRITE_FAILED', `The run ended ${result.status}, but its record could not be stored`, {
            hint: 'The history database did not accept the write; the run is not in the history. Check the database, then retry if the run may repeat.',
            execution: executionResultJson(result),
          }),
          headers,
          executionId: result.executionId,
        };
      }
    }
    if (result.status === 'succeeded') {
      if (!returnMinimal) return { status: 200, body: executionResultJson(result), headers, executionId: result.executionId };
      return { status: 200, body: executionResultJson(result, { trace: false }), headers: { ...headers, 'preference-applied': 'return=minimal' }, executionId: result.executionId };
    }
    return { status: 502, problem: runProblem(result), headers, executionId: result.executionId };
  }

  /** Stores the run as running (durable), starts it in the background, answers 202 with its location. */
  async function runAsync(workflow: CompiledWorkflow, input: unknown, key: string | undefined, callbackUrl: string | undefined): Promise<Reply> {
    const executionId = randomUUID();
    const headers = { 'x-execution-id': executionId, location: `/api/v1/executions/${executionId}`, 'preference-applied': 'respond-async' };
    try {
      await runs!.start({ workflow, input, executionId, ...(key ? { idempotencyKey: key } : {}), ...(callbackUrl ? { callbackUrl } : {}) });
    } catch (err) {
      log({ level: 'error', msg: 'starting an asynchronous run failed', executionId, error: (err as Error).message });
      return { status: 503, problem: problem(503, 'WF_HISTORY_WRITE_FAILED', 'The run could not be stored as started, so it was not started', { hint: 'The history database did not accept the write; check it, then retry.' }), headers: {} };
    }
    return { status: 202, body: acceptedBody(executionId, { name: workflow.name, namespace: workflow.namespace, version: workflow.version }, 'running'), headers, executionId };
  }

  app.post('/api/v1/workflows/:name/test', async (c) => {
    const found = findWorkflow(c);
    if ('problem' in found) return fail(c, found.problem);
    const body = parseExecuteBody(await readBodyText(c.req.raw, c.env, maxBodyBytes), requestHeader(c, 'content-type'), maxBodyBytes);
    if ('problem' in body) return fail(c, body.problem);
    return c.json(planWorkflow(found.workflow.resource, engine.registry, body.input));
  });

  registerHistoryRoutes(app, { engine, store, runs, log });
  registerCatalogRoutes(app, options.catalog, log);

  /** The workflow named in the path (`name` or `name@version`, `?namespace=`), or a 404 problem. */
  function findWorkflow(c: ApiContext): { workflow: CompiledWorkflow } | { problem: Problem } {
    return findWorkflowRef(c.req.param('name') ?? '', c.req.query('namespace') ?? 'default');
  }

  function findWorkflowRef(ref: string, ns: string): { workflow: CompiledWorkflow } | { problem: Problem } {
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
interface ExecuteBody {
  input: unknown;
  callbackUrl?: string;
}

function parseExecuteBody(text: string | typeof TOO_LARGE, contentType: string | undefined, maxBytes: number): ExecuteBody | { problem: Problem } {
  if (text === TOO_LARGE) {
    return { problem: problem(413, 'WF_REQUEST_TOO_LARGE', `The request body is larger than ${maxBytes} bytes`, { hint: 'Send a smaller input.' }) };
  }
  if (text.trim() === '') return { input: undefined };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    const type = contentType?.split(';')[0];
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
  const { input, callbackUrl } = body as { input?: unknown; callbackUrl?: unknown };
  if (callbackUrl !== undefined && !isHttpUrl(callbackUrl)) {
    const d: Diagnostic = { code: 'WF_CALLBACK_URL_INVALID', severity: 'error', message: 'callbackUrl must be an absolute http or https URL', hint: 'Give the URL that should receive the result by POST, e.g. "https://example.com/hooks/weft".', pointer: '/callbackUrl' };
    return { problem: problemFromDiagnostics(400, [d], d.code) };
  }
  return { input, ...(callbackUrl !== undefined ? { callbackUrl: callbackUrl as string } : {}) };
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The pattern of the route that answers (`/api/v1/executions/:id`), or undefined when only middleware matched. */
function routeOf(c: ApiContext): string | undefined {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i].method !== 'ALL') return routes[i].path;
  return undefined;
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
