import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { json, startServer, type TestServer } from '../../test/support/http.js';
import { Engine } from '../run/engine.js';
import { createApp } from './app.js';
import { parseTokens } from './auth.js';
import { historyApp, post, startUpstream, testRegistry, type HistoryApp, type Upstream } from './test-app.js';

let upstream: Upstream;
let h: HistoryApp;

beforeAll(async () => {
  upstream = await startUpstream();
  h = await historyApp(upstream);
});
afterEach(() => upstream.release());
afterAll(async () => {
  await h.close();
  await upstream.close();
});

const read = async (res: Response | Promise<Response>): Promise<{ status: number; body: any; headers: Headers }> => {
  const r = await res;
  return { status: r.status, body: await r.json(), headers: r.headers };
};
const hangCalls = () => upstream.calls.filter((c) => c.url === '/hang').length;

describe('asynchronous runs', () => {
  it('answers 202 with the id and Location at once (Prefer: respond-async); the store shows the run as running', async () => {
    const hung = upstream.nextHang();
    const { status, body, headers } = await read(post(h.app, '/api/v1/workflows/wait/execute', {}, { prefer: 'respond-async' }));
    expect(status).toBe(202);
    expect(headers.get('location')).toBe(`/api/v1/executions/${body.executionId}`);
    expect(headers.get('preference-applied')).toBe('respond-async');
    expect(body).toMatchObject({ status: 'running', workflow: { name: 'wait', namespace: 'default' } });
    await hung;
    const running = await read(h.app.request(headers.get('location')!));
    expect(running.body).toMatchObject({ id: body.executionId, status: 'running', trigger: 'api:async' });
    upstream.release();
    await h.runs.wait(body.executionId);
    const done = await read(h.app.request(headers.get('location')!));
    expect(done.body).toMatchObject({ status: 'succeeded', output: { done: true } });
  });

  it('runs asynchronously with ?mode=async too', async () => {
    const hung = upstream.nextHang();
    const { status, body } = await read(post(h.app, '/api/v1/workflows/wait/execute?mode=async', {}));
    expect(status).toBe(202);
    await hung;
    expect(h.runs.has(body.executionId)).toBe(true);
  });

  it('cancels a running run: the upstream call is aborted and the store says cancelled', async () => {
    const hung = upstream.nextHang();
    const { body } = await read(post(h.app, '/api/v1/workflows/wait/execute?mode=async', {}));
    const upstreamRes = await hung;
    const closed = new Promise<void>((resolve) => upstreamRes.once('close', () => resolve()));
    const cancel = await read(post(h.app, `/api/v1/executions/${body.executionId}/cancel`, ''));
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ id: body.executionId, status: 'cancelled' });
    await closed;
    expect((await h.store.getExecution(body.executionId))!.steps[0]).toMatchObject({ stepId: 'hold', status: 'cancelled' });
  });

  it('answers 409 WF_EXECUTION_FINISHED when cancelling a run that has ended', async () => {
    const run = await post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '1' } });
    const cancel = await read(post(h.app, `/api/v1/executions/${run.headers.get('x-execution-id')}/cancel`, ''));
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({ code: 'WF_EXECUTION_FINISHED', detail: expect.stringContaining('(succeeded)') });
  });

  it('answers 409 WF_EXECUTION_ELSEWHERE for a run that is running but not in this process', async () => {
    await h.store.recordStart({ executionId: 'other-replica-run', workflow: { name: 'wait', namespace: 'default' }, input: {} });
    const cancel = await read(post(h.app, '/api/v1/executions/other-replica-run/cancel', ''));
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({ code: 'WF_EXECUTION_ELSEWHERE', hint: expect.stringContaining('replica') });
  });

  it('marks a run whose replica stopped as cancelled with ?force=true', async () => {
    await h.store.recordStart({ executionId: 'orphaned-run', workflow: { name: 'wait', namespace: 'default' }, input: {} });
    const cancel = await read(post(h.app, '/api/v1/executions/orphaned-run/cancel?force=true', ''));
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ id: 'orphaned-run', status: 'cancelled', error: { code: 'WF_RUN_CANCELLED' } });
  });

  it('answers 403 for ?force=true with a token that lacks the admin scope, and lets an admin token force', async () => {
    const tokens = parseTokens(`[{name: ci, token: execute-token-0123456789, scopes: [execute]}, {name: ops, token: admin-token-0123456789ab, scopes: [admin]}]`, 'tokens');
    const secured = await historyApp(upstream, { auth: { tokens } });
    try {
      await secured.store.recordStart({ executionId: 'orphan-2', workflow: { name: 'wait', namespace: 'default' }, input: {} });
      const denied = await read(post(secured.app, '/api/v1/executions/orphan-2/cancel?force=true', '', { authorization: 'Bearer execute-token-0123456789' }));
      expect(denied.status).toBe(403);
      expect(denied.body).toMatchObject({ code: 'WF_AUTH_SCOPE', detail: "force=true needs the 'admin' scope; the token 'ci' lacks it" });
      const forced = await read(post(secured.app, '/api/v1/executions/orphan-2/cancel?force=true', '', { authorization: 'Bearer admin-token-0123456789ab' }));
      expect(forced.body.status).toBe('cancelled');
    } finally {
      await secured.close();
    }
  });

  it('answers 404 when cancelling an unknown execution', async () => {
    expect((await read(post(h.app, '/api/v1/executions/nope/cancel', ''))).body.code).toBe('WF_UNKNOWN_EXECUTION');
  });

  it('cancels the runs still going when the server closes, and records them', async () => {
    const hung = upstream.nextHang();
    const { body } = await read(post(h.app, '/api/v1/workflows/wait/execute?mode=async', {}));
    await hung;
    const other = await historyApp(upstream);
    try {
      const hung2 = upstream.nextHang();
      const started = await read(post(other.app, '/api/v1/workflows/wait/execute?mode=async', {}));
      await hung2;
      await other.runs.close(0);
      expect((await other.store.getExecution(started.body.executionId))!.status).toBe('cancelled');
    } finally {
      await other.close();
    }
    expect(h.runs.has(body.executionId)).toBe(true);
  });
});

describe('callbacks', () => {
  let receiver: TestServer;
  let answers: number[];
  let delivered: (body: any) => void;
  beforeAll(async () => {
    receiver = await startServer((_req, res, body) => {
      const status = answers.shift() ?? 200;
      json(res, status, {});
      if (status === 200) delivered(JSON.parse(body));
    });
  });
  afterAll(() => receiver.close());

  it('POSTs the result JSON to the callback URL, retrying after a 503', async () => {
    answers = [503, 200];
    const got = new Promise<any>((resolve) => (delivered = resolve));
    const { body } = await read(post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '5' }, callbackUrl: `${receiver.url}/hook?token=abc` }, { prefer: 'respond-async' }));
    const result = await got;
    expect(result).toMatchObject({ executionId: body.executionId, status: 'succeeded', output: { hello: 'user-5' } });
    const calls = receiver.calls.filter((c) => c.url === '/hook?token=abc');
    expect(calls).toHaveLength(2);
    expect(calls[1].headers['x-execution-id']).toBe(body.executionId);
  });

  it('stops after the bounded number of attempts and logs it without the URL secrets', async () => {
    answers = [500, 500, 500, 500, 500];
    const before = receiver.calls.length;
    const { body } = await read(post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '6' }, callbackUrl: `${receiver.url}/fail?token=abc` }, { prefer: 'respond-async' }));
    await h.runs.wait(body.executionId);
    await h.runs.callbacksSettled();
    const logged = h.logs.find((e) => e.msg === 'callback not delivered' && e.executionId === body.executionId);
    expect(logged).toMatchObject({ error: 'answered 500', url: `${receiver.url}/fail?token=***` });
    expect(receiver.calls.length - before).toBe(5);
  });

  it('answers 400 for a callbackUrl on a synchronous execute', async () => {
    const { status, body } = await read(post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '1' }, callbackUrl: 'http://127.0.0.1/x' }));
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'WF_CALLBACK_NEEDS_ASYNC', errors: [expect.objectContaining({ pointer: '/callbackUrl' })] });
  });

  it('answers 400 for a callbackUrl that is not an http URL', async () => {
    const { body } = await read(post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '1' }, callbackUrl: 'ftp://x' }, { prefer: 'respond-async' }));
    expect(body.code).toBe('WF_CALLBACK_URL_INVALID');
  });
});

describe('Idempotency-Key', () => {
  it('answers a repeated key with the first result (same status and body) without running again', async () => {
    const first = await read(post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '11' } }, { 'idempotency-key': 'k-same' }));
    const calls = upstream.calls.length;
    const again = await read(post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '11' } }, { 'idempotency-key': 'k-same' }));
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(upstream.calls.length).toBe(calls);
  });

  it('replays a failed run as the same 502 problem', async () => {
    const first = await read(post(h.app, '/api/v1/workflows/explode/execute', {}, { 'idempotency-key': 'k-fail' }));
    const again = await read(post(h.app, '/api/v1/workflows/explode/execute', {}, { 'idempotency-key': 'k-fail' }));
    expect(again.status).toBe(502);
    const { requestId: _a, ...firstBody } = first.body;
    const { requestId: _b, ...againBody } = again.body;
    expect(againBody).toEqual(firstBody);
  });

  it('runs concurrent requests with one key once; the duplicate waits for the first', async () => {
    const hung = upstream.nextHang();
    const before = hangCalls();
    const one = post(h.app, '/api/v1/workflows/wait/execute', {}, { 'idempotency-key': 'k-concurrent' });
    const two = post(h.app, '/api/v1/workflows/wait/execute', {}, { 'idempotency-key': 'k-concurrent' });
    await hung;
    upstream.release();
    const [a, b] = await Promise.all([read(one), read(two)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body.executionId).toBe(a.body.executionId);
    expect(hangCalls() - before).toBe(1);
  });

  it('answers the same 202 and execution id for a repeated asynchronous request', async () => {
    const first = await read(post(h.app, '/api/v1/workflows/greet/execute?mode=async', { input: { userId: '4' } }, { 'idempotency-key': 'k-async' }));
    const again = await read(post(h.app, '/api/v1/workflows/greet/execute?mode=async', { input: { userId: '4' } }, { 'idempotency-key': 'k-async' }));
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
  });

  it('answers 422 when the key was first used for another workflow', async () => {
    await post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '1' } }, { 'idempotency-key': 'k-reused' });
    const { status, body } = await read(post(h.app, '/api/v1/workflows/pair/execute', {}, { 'idempotency-key': 'k-reused' }));
    expect(status).toBe(422);
    expect(body).toMatchObject({ code: 'WF_IDEMPOTENCY_KEY_REUSED', detail: "The Idempotency-Key was first used for workflow 'default/greet' with another request" });
  });

  it('answers 422 when the key comes back with another input', async () => {
    await post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '1' } }, { 'idempotency-key': 'k-input' });
    const { status, body } = await read(post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '2' } }, { 'idempotency-key': 'k-input' }));
    expect([status, body.code]).toEqual([422, 'WF_IDEMPOTENCY_KEY_REUSED']);
  });

  it('replays a key whose input carried a secret (compared as stored, masked)', async () => {
    const first = await read(post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '3', password: 'p1' } }, { 'idempotency-key': 'k-secret' }));
    const again = await read(post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '3', password: 'p1' } }, { 'idempotency-key': 'k-secret' }));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.executionId).toBe(first.body.executionId);
  });

  it('answers 400 for a key with spaces or over 255 characters', async () => {
    for (const key of ['has space', 'x'.repeat(256)]) {
      const { status, body } = await read(post(h.app, '/api/v1/workflows/greet/execute', { input: { userId: '1' } }, { 'idempotency-key': key }));
      expect([status, body.code]).toEqual([400, 'WF_IDEMPOTENCY_KEY_INVALID']);
    }
  });
});

describe('without history', () => {
  const engine = new Engine(testRegistry());
  const app = createApp({ engine });
  afterAll(() => engine.close());

  it('answers 400 WF_HISTORY_REQUIRED for an asynchronous run and for an Idempotency-Key', async () => {
    expect((await read(post(app, '/api/v1/workflows/greet/execute?mode=async', { input: { userId: '1' } }))).body.code).toBe('WF_HISTORY_REQUIRED');
    expect((await read(post(app, '/api/v1/workflows/greet/execute', { input: { userId: '1' } }, { 'idempotency-key': 'k' }))).body.code).toBe('WF_HISTORY_REQUIRED');
  });

  it('answers the history routes with 503 WF_HISTORY_OFF and a hint to turn it on', async () => {
    const { status, body } = await read(app.request('/api/v1/executions'));
    expect(status).toBe(503);
    expect(body).toMatchObject({ code: 'WF_HISTORY_OFF', hint: expect.stringContaining('--no-history') });
  });
});
