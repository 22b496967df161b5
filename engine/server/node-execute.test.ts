import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../run/engine.js';
import { createApp, nodeListener } from './app.js';
import { parseTokens } from './auth.js';
import type { LogEntry } from './log.js';
import { startUpstream, testRegistry, type Upstream } from './test-app.js';

/**
 * `nodeListener` serves the execute route straight on node:http and everything else through
 * Hono. Each request here is sent both ways, to `app.request` (Hono) and over HTTP to the Node
 * listener, and the two answers must be the same: status, headers that carry meaning, body.
 */
const RUNNER = 'runner-token-0123456789abcdef';
const READER = 'reader-token-0123456789abcdef';
const TOKENS = `
- { name: ci, token: ${RUNNER}, scopes: [execute] }
- { name: grafana, token: ${READER}, scopes: [read] }
`;

let api: Upstream;
let engine: Engine;
let server: Server;
let base: string;
let ready = true;
const logs: LogEntry[] = [];
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  api = await startUpstream();
  engine = new Engine(testRegistry(), { origins: [`http://api=${api.url}`] });
  app = createApp({ engine, auth: { tokens: parseTokens(TOKENS, 'tokens.yaml') }, log: (e) => logs.push(e), maxBodyBytes: 512, ready: () => ready });
  server = createServer(nodeListener(app));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await engine.close();
  await api.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: unknown;
}

/** Compared across the two paths. (X-Request-Id is checked on the Node answers only: `app.request`
 * in a process where @hono/node-server replaced the global Response drops headers set after the
 * route answered; the problem bodies carry the request id on both paths.) */
const MEANINGFUL = ['content-type', 'www-authenticate', 'preference-applied'];

/** Drops what differs from run to run: ids of executions and every time. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'executionId' && !/(At|Ms)$/.test(k)) out[k] = stable(v);
  return out;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  const headers: Record<string, string | null> = {};
  for (const h of MEANINGFUL) headers[h] = res.headers.get(h);
  return { status: res.status, headers, body: stable(text ? JSON.parse(text) : null) };
}

/** Sends one request through Hono and through the Node listener; both answers must match. */
async function both(path: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const init = { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-request-id': 'req-1', ...headers } };
  const viaHono = await answer(await app.request(path, init));
  const res = await fetch(`${base}${path}`, init);
  expect(res.headers.get('x-request-id')).toBe('req-1');
  const viaNode = await answer(res);
  expect(viaNode).toEqual(viaHono);
  return viaNode;
}

const runner = { authorization: `Bearer ${RUNNER}` };

describe('the execute route on node:http answers as through Hono', () => {
  it('runs the workflow: 200 with the output, the trace and the request id', async () => {
    const a = await both('/api/v1/workflows/greet/execute', JSON.stringify({ input: { userId: '7' } }), runner);
    expect(a.status).toBe(200);
    expect(a.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(a.body).toMatchObject({ status: 'succeeded', output: { hello: 'user-7' }, trace: [{ id: 'fetch', status: 'succeeded', httpStatus: 200 }] });
  });

  it('decodes the workflow name and honours ?namespace=', async () => {
    expect((await both('/api/v1/workflows/gr%65et/execute', JSON.stringify({ input: { userId: '7' } }), runner)).status).toBe(200);
    const other = await both('/api/v1/workflows/greet/execute?namespace=other', '{}', runner);
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({ code: 'WF_UNKNOWN_WORKFLOW', instance: '/api/v1/workflows/greet/execute', hint: "It is loaded in namespace 'default'; add ?namespace=default." });
  });

  it('answers Prefer: return=minimal without the trace', async () => {
    const a = await both('/api/v1/workflows/greet/execute', JSON.stringify({ input: { userId: '7' } }), { ...runner, prefer: 'return=minimal' });
    expect(a.headers['preference-applied']).toBe('return=minimal');
    expect(a.body).toEqual({ workflow: expect.any(Object), status: 'succeeded', output: { hello: 'user-7' } });
  });

  it('refuses without a token (401 with the challenge) and with a token that lacks the scope (403)', async () => {
    const missing = await both('/api/v1/workflows/greet/execute', '{}');
    expect(missing).toMatchObject({ status: 401, headers: { 'www-authenticate': 'Bearer realm="weft"', 'content-type': 'application/problem+json' }, body: { code: 'WF_AUTH_REQUIRED', requestId: 'req-1' } });
    const reader = await both('/api/v1/workflows/greet/execute', '{}', { authorization: `Bearer ${READER}` });
    expect(reader).toMatchObject({ status: 403, body: { code: 'WF_AUTH_SCOPE' } });
  });

  it('answers the body and input problems', async () => {
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ['{"input": ', {}, 400, 'WF_REQUEST_MALFORMED_JSON'],
      ['[1]', {}, 400, 'WF_REQUEST_INVALID'],
      ['{"userId": "7"}', {}, 400, 'WF_REQUEST_UNKNOWN_FIELD'],
      ['{"input": {}}', {}, 400, 'WF_INPUT_INVALID'],
      [JSON.stringify({ input: { userId: 'x'.repeat(600) } }), {}, 413, 'WF_REQUEST_TOO_LARGE'],
      ['{}', { 'idempotency-key': 'k-1' }, 400, 'WF_HISTORY_REQUIRED'],
    ];
    for (const [body, headers, status, code] of cases) {
      const a = await both('/api/v1/workflows/greet/execute', body, { ...runner, ...headers });
      expect([a.status, (a.body as { code: string }).code]).toEqual([status, code]);
    }
    const mode = await both('/api/v1/workflows/greet/execute?mode=later', '{}', runner);
    expect(mode).toMatchObject({ status: 400, body: { code: 'WF_QUERY_INVALID' } });
  });

  it('answers 502 with the whole execution when the run fails, and 404 with a did-you-mean for an unknown workflow', async () => {
    const failed = await both('/api/v1/workflows/explode/execute', '{}', runner);
    expect(failed).toMatchObject({ status: 502, body: { code: 'WF_HTTP_500', execution: { status: 'failed' } } });
    const unknown = await both('/api/v1/workflows/gret/execute', '{}', runner);
    expect(unknown).toMatchObject({ status: 404, body: { code: 'WF_UNKNOWN_WORKFLOW', hint: expect.stringContaining("'greet'") } });
  });

  it('answers 503 until the definitions are ready', async () => {
    ready = false;
    try {
      expect(await both('/api/v1/workflows/greet/execute', '{}', runner)).toMatchObject({ status: 503, body: { code: 'WF_NOT_READY' } });
    } finally {
      ready = true;
    }
  });
});

describe('the Node listener', () => {
  it('logs and counts an execute like any request, with the route pattern and the token name', async () => {
    logs.length = 0;
    const res = await fetch(`${base}/api/v1/workflows/greet/execute`, { method: 'POST', body: JSON.stringify({ input: { userId: '7' } }), headers: runner });
    const body = (await res.json()) as { executionId: string };
    expect(logs).toEqual([
      expect.objectContaining({ level: 'info', msg: 'request', method: 'POST', path: '/api/v1/workflows/greet/execute', status: 200, requestId: res.headers.get('x-request-id'), executionId: body.executionId, token: 'ci' }),
    ]);
    const metrics = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${READER}` } })).text();
    expect(metrics).toMatch(/weft_http_requests_total\{method="POST",route="\/api\/v1\/workflows\/:name\/execute",status="200"\} \d+/);
  });

  it('leaves every other route to Hono', async () => {
    const list = await fetch(`${base}/api/v1/workflows`, { headers: { authorization: `Bearer ${READER}` } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: Array<{ name: string }> }).items.map((w) => w.name)).toContain('greet');
    const wrongMethod = await fetch(`${base}/api/v1/workflows/greet/execute`, { headers: runner });
    expect(wrongMethod.status).toBe(405);
    const dryRun = await fetch(`${base}/api/v1/workflows/greet/test`, { method: 'POST', body: JSON.stringify({ input: { userId: '7' } }), headers: runner });
    expect(dryRun.status).toBe(200);
  });
});
