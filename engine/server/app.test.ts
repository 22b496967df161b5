import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { json, startServer, type TestServer } from '../../test/support/http.js';
import { loadText } from '../load/index.js';
import { DefinitionRegistry } from '../load/registry.js';
import { Engine } from '../run/engine.js';
import { createApp } from './app.js';
import { DefinitionSource } from './definitions.js';
import type { LogEntry } from './log.js';

let api: TestServer;
/** Responses held open by `/hang` until the test releases them; each resolves `hung` when it arrives. */
const held: ServerResponse[] = [];
let onHang: ((res: ServerResponse) => void) | undefined;

beforeAll(async () => {
  api = await startServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname.startsWith('/users/')) return json(res, 200, { id: url.pathname.split('/')[2], name: 'Ada' });
    if (url.pathname === '/boom') return json(res, 500, { message: 'exploded' });
    if (url.pathname === '/hang') {
      held.push(res);
      onHang?.(res);
      return;
    }
    json(res, 404, { message: 'no route' });
  });
});
afterEach(() => {
  for (const res of held.splice(0)) if (!res.destroyed) json(res, 200, { late: true });
  onHang = undefined;
});
afterAll(() => api.close());

const DEFINITIONS = `
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: get-user }
spec:
  type: http
  http: { method: GET, url: "http://api/users/{{input.userId}}" }
  inputSchema: { type: object, properties: { userId: { type: string } }, required: [userId] }
  outputSchema: { type: object, properties: { id: { type: string }, name: { type: string } } }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: boom }
spec:
  type: http
  http: { method: GET, url: "http://api/boom" }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: hang }
spec:
  type: http
  http: { method: GET, url: "http://api/hang" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: greet-user, annotations: { workflow.io/version: "v2" } }
spec:
  description: Says hello
  input:
    type: object
    properties: { userId: { type: string }, count: { type: integer, minimum: 1 } }
    required: [userId, count]
  tasks:
    - { id: fetch, taskRef: get-user, input: { userId: "{{input.userId}}" } }
  output: { hello: "{{tasks.fetch.output.name}}", times: "{{input.count}}" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: greet-user, namespace: team-b }
spec:
  tasks: []
  output: { team: b }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: billing-report, namespace: team-b }
spec:
  tasks: []
  output: { ok: true }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: explode }
spec:
  tasks:
    - { id: fetch, taskRef: get-user, input: { userId: "1" } }
    - { id: blow, taskRef: boom, dependsOn: [fetch] }
    - { id: after, taskRef: get-user, input: { userId: "2" }, dependsOn: [blow] }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: slow }
spec:
  timeout: 50ms
  tasks:
    - { id: wait, taskRef: hang }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: hang-forever }
spec:
  timeout: 1h
  tasks:
    - { id: wait, taskRef: hang }
`;

function registry(): DefinitionRegistry {
  const loaded = loadText(DEFINITIONS, 'defs.yaml');
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return new DefinitionRegistry(loaded.resources);
}

let engine: Engine;
let logs: LogEntry[];
let app: ReturnType<typeof createApp>;
beforeAll(() => {
  engine = new Engine(registry(), { origins: [`http://api=${api.url}`] });
  logs = [];
  app = createApp({ engine, log: (e) => logs.push(e), maxBodyBytes: 4096 });
});
afterAll(() => engine.close());

/** The JSON body of a response, untyped for assertions. */
const read = (res: Response): Promise<any> => res.json();

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

describe('POST /api/v1/workflows/{name}/execute', () => {
  it('answers 200 with the output and the trace when the run succeeds', async () => {
    const res = await post('/api/v1/workflows/greet-user/execute', { input: { userId: '7', count: 2 } });
    expect(res.status).toBe(200);
    const body = await read(res);
    expect(body.status).toBe('succeeded');
    expect(body.output).toEqual({ hello: 'Ada', times: 2 });
    expect(body.trace.map((s: any) => [s.id, s.status, s.httpStatus])).toEqual([['fetch', 'succeeded', 200]]);
    expect(res.headers.get('x-execution-id')).toBe(body.executionId);
  });

  it('leaves the trace out of a 200 answer for Prefer: return=minimal, and says so', async () => {
    const res = await post('/api/v1/workflows/greet-user/execute', { input: { userId: '7', count: 2 } }, { prefer: 'handling=lenient, Return="minimal"; x=1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('preference-applied')).toBe('return=minimal');
    const body = await read(res);
    expect(Object.keys(body)).toEqual(['executionId', 'workflow', 'status', 'output', 'startedAt', 'endedAt', 'durationMs']);
    expect(body.output).toEqual({ hello: 'Ada', times: 2 });
    expect(res.headers.get('x-execution-id')).toBe(body.executionId);
  });

  it('keeps the trace for Prefer: return=representation and on a failed run whatever the preference', async () => {
    const full = await post('/api/v1/workflows/greet-user/execute', { input: { userId: '7', count: 2 } }, { prefer: 'return=representation' });
    expect(full.headers.get('preference-applied')).toBeNull();
    expect((await read(full)).trace).toHaveLength(1);
    const failed = await post('/api/v1/workflows/explode/execute', {}, { prefer: 'return=minimal' });
    expect(failed.status).toBe(502);
    expect(failed.headers.get('preference-applied')).toBeNull();
    expect((await read(failed)).execution.trace.map((s: any) => s.id)).toEqual(['fetch', 'blow', 'after']);
  });

  it('answers 400 listing every input error with a pointer under /input', async () => {
    const res = await post('/api/v1/workflows/greet-user/execute', { input: { count: 0 } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await read(res);
    expect(body.code).toBe('WF_INPUT_INVALID');
    expect(body.errors.map((e: any) => e.pointer).sort()).toEqual(['/input/count', '/input/userId']);
    expect(body.errors.every((e: any) => e.code === 'WF_INPUT_INVALID' && e.severity === 'error' && e.message && e.hint)).toBe(true);
  });

  it('answers 400 naming the JSON problem when the body is malformed', async () => {
    const res = await post('/api/v1/workflows/greet-user/execute', '{"input": {"userId": "7",}}');
    expect(res.status).toBe(400);
    const body = await read(res);
    expect(body.code).toBe('WF_REQUEST_MALFORMED_JSON');
    expect(body.detail).toMatch(/^The request body is not valid JSON: .+/);
    expect(body.errors).toHaveLength(1);
  });

  it('answers 400 when the body is not an object', async () => {
    const res = await post('/api/v1/workflows/greet-user/execute', '[1, 2]');
    expect(res.status).toBe(400);
    expect((await read(res)).detail).toBe('The request body is an array, not an object');
  });

  it('answers 400 for fields beside input and says to put them under input', async () => {
    const res = await post('/api/v1/workflows/greet-user/execute', { userId: '7', count: 1 });
    expect(res.status).toBe(400);
    const body = await read(res);
    expect(body.errors.map((e: any) => [e.code, e.pointer])).toEqual([
      ['WF_REQUEST_UNKNOWN_FIELD', '/userId'],
      ['WF_REQUEST_UNKNOWN_FIELD', '/count'],
    ]);
    expect(body.errors[0].hint).toBe('Put the workflow input under "input": {"input": {"userId": …}}.');
  });

  it('reads JSON whatever the content type says, as curl -d sends it', async () => {
    const res = await app.request('/api/v1/workflows/greet-user/execute', {
      method: 'POST',
      body: '{"input":{"userId":"3","count":1}}',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
  });

  it('answers 413 when the body is larger than the limit', async () => {
    const res = await post('/api/v1/workflows/greet-user/execute', { input: { userId: 'x'.repeat(5000), count: 1 } });
    expect(res.status).toBe(413);
    expect((await read(res)).code).toBe('WF_REQUEST_TOO_LARGE');
  });

  it('answers 404 with a did-you-mean for an unknown workflow', async () => {
    const res = await post('/api/v1/workflows/greet-usr/execute', { input: {} });
    expect(res.status).toBe(404);
    const body = await read(res);
    expect(body).toMatchObject({ code: 'WF_UNKNOWN_WORKFLOW', status: 404, detail: "Workflow 'greet-usr' is not loaded in namespace 'default'", hint: "Did you mean 'greet-user'?" });
  });

  it('answers 404 naming the namespace where a workflow lives when it is not in the one asked', async () => {
    const res = await post('/api/v1/workflows/billing-report/execute', { input: {} });
    expect((await read(res)).hint).toBe("It is loaded in namespace 'team-b'; add ?namespace=team-b.");
  });

  it('runs the workflow of the namespace given in ?namespace=', async () => {
    const res = await post('/api/v1/workflows/greet-user/execute?namespace=team-b', { input: {} });
    expect(res.status).toBe(200);
    expect((await read(res)).output).toEqual({ team: 'b' });
  });

  it('runs a pinned version and answers 404 with the loaded version for another', async () => {
    expect((await post('/api/v1/workflows/greet-user@v2/execute', { input: { userId: '1', count: 1 } })).status).toBe(200);
    const res = await post('/api/v1/workflows/greet-user@v9/execute', { input: { userId: '1', count: 1 } });
    expect(res.status).toBe(404);
    const body = await read(res);
    expect(body.code).toBe('WF_UNKNOWN_WORKFLOW_VERSION');
    expect(body.hint).toBe(`The loaded version is ${engine.workflow('greet-user')!.version.slice(0, 12)} (annotated v2).`);
  });

  it('answers 502 with the step error and the whole execution when a step fails', async () => {
    const res = await post('/api/v1/workflows/explode/execute', {});
    expect(res.status).toBe(502);
    const body = await read(res);
    expect(body.code).toBe('WF_HTTP_500');
    expect(body.detail).toMatch(/^Step 'blow' failed: GET .*\/boom answered 500/);
    expect(body.errors).toEqual([expect.objectContaining({ code: 'WF_HTTP_500', pointer: '/execution/trace/1' })]);
    expect(body.execution.status).toBe('failed');
    expect(body.execution.trace.map((s: any) => [s.id, s.status])).toEqual([
      ['fetch', 'succeeded'],
      ['blow', 'failed'],
      ['after', 'skipped'],
    ]);
  });

  it('answers 502 with WF_RUN_TIMEOUT when the workflow timeout passes', async () => {
    const res = await post('/api/v1/workflows/slow/execute', {});
    expect(res.status).toBe(502);
    const body = await read(res);
    expect(body.title).toBe('Workflow timed out');
    expect(body.execution.status).toBe('timed_out');
    expect(body.code).toBe('WF_RUN_TIMEOUT');
  });

  it("passes the request's abort signal to the run so in-flight calls are aborted", async () => {
    const caller = new AbortController();
    const upstreamClosed = new Promise<void>((resolve) => {
      onHang = (res) => {
        res.once('close', () => resolve());
        caller.abort();
      };
    });
    const res = await app.request('/api/v1/workflows/hang-forever/execute', { method: 'POST', body: '{}', signal: caller.signal });
    await upstreamClosed;
    const body = await read(res);
    expect(body.code).toBe('WF_RUN_CANCELLED');
    expect(body.execution.trace[0]).toMatchObject({ id: 'wait', status: 'cancelled' });
  });
});

describe('POST /api/v1/workflows/{name}/test', () => {
  it('answers the dry-run plan with levels, critical path and previews, calling nothing', async () => {
    const calls = api.calls.length;
    const res = await post('/api/v1/workflows/explode/test', { input: {} });
    expect(res.status).toBe(200);
    const plan = await read(res);
    expect(plan.parallelGroups).toEqual([['fetch'], ['blow'], ['after']]);
    expect(plan.criticalPath).toEqual(['fetch', 'blow', 'after']);
    expect(plan.nodes[0]).toMatchObject({ id: 'fetch', url: 'http://api/users/1', method: 'GET' });
    expect(api.calls.length).toBe(calls);
  });

  it('reports input errors inside the plan', async () => {
    const plan = await read(await post('/api/v1/workflows/greet-user/test', { input: { userId: 1 } }));
    expect(plan.inputValid).toBe(false);
    expect(plan.diagnostics.map((d: any) => d.pointer).sort()).toEqual(['/input/count', '/input/userId']);
  });

  it('answers 404 for an unknown workflow', async () => {
    expect((await post('/api/v1/workflows/nope/test', {})).status).toBe(404);
  });
});

describe('definition listings', () => {
  it('lists workflows of every namespace with version, file and input schema', async () => {
    const body = await read(await app.request('/api/v1/workflows'));
    expect(body.items.map((w: any) => `${w.namespace}/${w.name}`)).toEqual([
      'default/explode',
      'default/greet-user',
      'default/hang-forever',
      'default/slow',
      'team-b/billing-report',
      'team-b/greet-user',
    ]);
    const greet = body.items.find((w: any) => w.name === 'greet-user' && w.namespace === 'default');
    expect(greet).toMatchObject({ version: engine.workflow('greet-user')!.version, file: 'defs.yaml', description: 'Says hello', stepCount: 1 });
    expect(greet.inputSchema.required).toEqual(['userId', 'count']);
  });

  it('filters workflows by ?namespace=', async () => {
    const body = await read(await app.request('/api/v1/workflows?namespace=team-b'));
    expect(body.items.map((w: any) => w.name)).toEqual(['billing-report', 'greet-user']);
  });

  it('shows one workflow with its steps, their dependencies and the output mapping', async () => {
    const body = await read(await app.request('/api/v1/workflows/explode'));
    expect(body.steps).toEqual([
      { id: 'fetch', taskRef: 'get-user', kind: 'task', dependsOn: [] },
      { id: 'blow', taskRef: 'boom', kind: 'task', dependsOn: ['fetch'] },
      { id: 'after', taskRef: 'get-user', kind: 'task', dependsOn: ['blow'] },
    ]);
    expect(body.line).toBeGreaterThan(1);
  });

  it('lists tasks and shows one with its input and output schemas', async () => {
    const list = await read(await app.request('/api/v1/tasks'));
    expect(list.items.map((t: any) => t.name)).toEqual(['boom', 'get-user', 'hang']);
    const task = await read(await app.request('/api/v1/tasks/get-user'));
    expect(task).toMatchObject({ name: 'get-user', type: 'http', method: 'GET', url: 'http://api/users/{{input.userId}}', file: 'defs.yaml' });
    expect(task.outputSchema.properties.name).toEqual({ type: 'string' });
    expect(task.version).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers 404 with a did-you-mean for an unknown task', async () => {
    const res = await app.request('/api/v1/tasks/get-usr');
    expect(res.status).toBe(404);
    expect(await read(res)).toMatchObject({ code: 'WF_UNKNOWN_TASK', hint: "Did you mean 'get-user'?" });
  });
});

describe('errors and request ids', () => {
  it('answers unknown routes with a 404 problem', async () => {
    const res = await app.request('/api/v2/things');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await read(res)).toMatchObject({ type: '/problems/WF_ROUTE_NOT_FOUND', title: 'Not Found', status: 404, code: 'WF_ROUTE_NOT_FOUND', errors: [] });
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await app.request('/api/v1/workflows/greet-user/execute');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await read(res)).code).toBe('WF_METHOD_NOT_ALLOWED');
  });

  it('answers an unexpected failure with a 500 problem that names the request id, not the cause', async () => {
    const broken = new Engine(registry());
    broken.workflows = () => {
      throw new Error('secret internals at /srv/weft/engine.ts:42');
    };
    const errors: LogEntry[] = [];
    const res = await createApp({ engine: broken, log: (e) => errors.push(e) }).request('/api/v1/workflows', { headers: { 'x-request-id': 'boom-1' } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'WF_INTERNAL', requestId: 'boom-1', hint: expect.stringContaining('boom-1') });
    expect(text).not.toContain('secret internals');
    expect(errors[0]).toMatchObject({ level: 'error', msg: 'unhandled error', requestId: 'boom-1' });
    await broken.close();
  });

  it('logs the problem code of an error response', async () => {
    logs.length = 0;
    await post('/api/v1/workflows/explode/execute', {});
    expect(logs[0]).toMatchObject({ level: 'error', status: 502, code: 'WF_HTTP_500', executionId: expect.any(String) });
  });

  it('echoes the X-Request-Id it was given, in the header and in problems', async () => {
    const res = await app.request('/nowhere', { headers: { 'x-request-id': 'req-42' } });
    expect(res.headers.get('x-request-id')).toBe('req-42');
    expect((await read(res)).requestId).toBe('req-42');
  });

  it('replaces a request id that is not a plain token with a fresh one', async () => {
    const res = await app.request('/healthz', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one line per request with method, path, status, duration and request id, without body or query', async () => {
    logs.length = 0;
    await post('/api/v1/workflows/greet-user/execute?namespace=default&token=s3cret', { input: { userId: 'secret-user', count: 1 } }, { 'x-request-id': 'log-1' });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'info', msg: 'request', method: 'POST', path: '/api/v1/workflows/greet-user/execute', status: 200, requestId: 'log-1', executionId: expect.any(String) });
    expect(typeof logs[0].durationMs).toBe('number');
    expect(JSON.stringify(logs)).not.toMatch(/s3cret|secret-user/);
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('describes every route the app serves, and no other', async () => {
    const doc = await read(await app.request('/api/v1/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const served = app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect([...new Set(served)].sort()).toEqual(documented.sort());
  });

  it('points every schema reference at a defined component', async () => {
    const doc = await read(await app.request('/api/v1/openapi.json'));
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(doc.components.schemas).toHaveProperty(r);
  });
});

describe('health', () => {
  it('answers /healthz with ok', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await read(res)).toEqual({ status: 'ok' });
  });

  it('answers /readyz and the API with 503 until the definitions are loaded, then 200', async () => {
    const source = new DefinitionSource([]);
    const own = createApp({ engine, definitions: source });
    const before = await own.request('/readyz');
    expect(before.status).toBe(503);
    expect((await read(before)).code).toBe('WF_NOT_READY');
    expect((await own.request('/api/v1/workflows')).status).toBe(503);
    await source.reload();
    const after = await own.request('/readyz');
    expect(after.status).toBe(200);
    expect(await read(after)).toMatchObject({ status: 'ready', reload: { generation: 1, ok: true, errors: 0 } });
  });
});
