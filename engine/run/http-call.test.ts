import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startServer, type TestServer } from '../../test/support/http.js';
import type { HttpSpec } from '../model/types.js';
import { CancelledError, DeadlineError, StepError, StepTimeoutError } from './errors.js';
import { AbortFanout } from './abort.js';
import { compileHttp, HttpClient, parseOrigins } from './http.js';

/** Answers per path: /echo returns what it received, /slow answers after ?ms, /hangup drops the socket. */
function handler(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url!, 'http://x');
  if (url.pathname === '/slow') return void setTimeout(() => json(res, 200, { slow: true }), Number(url.searchParams.get('ms')));
  if (url.pathname === '/hangup') return void req.socket.destroy();
  if (url.pathname === '/port') return json(res, 200, { port: req.socket.remotePort });
  json(res, 200, { method: req.method, url: req.url, headers: req.headers, body });
}

let api: TestServer;
const client = new HttpClient();
const origins = parseOrigins([]);
const scope = (input: Record<string, unknown> = {}) => ({ input, tasks: {} });

beforeAll(async () => {
  api = await startServer(handler);
});
afterAll(async () => {
  await api.close();
  await client.close();
});

function compile(spec: Omit<HttpSpec, 'url'> & { url: string }) {
  return compileHttp(spec as HttpSpec, "task 't'", origins);
}

async function echo(spec: Omit<HttpSpec, 'url'> & { url?: string }, input: Record<string, unknown> = {}) {
  const r = await client.call(compile({ url: `${api.url}/echo`, ...spec }), scope(input), undefined, origins);
  return r.output as { method: string; url: string; headers: Record<string, string>; body: string };
}

/** A run handle that has already aborted with `reason`. */
function aborted(reason: unknown): AbortFanout {
  const run = new AbortFanout();
  run.abort(reason);
  return run;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('HttpClient.call request', () => {
  it('sends the method and the resolved headers', async () => {
    const r = await echo({ method: 'delete', headers: { 'X-User': '{{input.user}}', 'X-N': 5 as unknown as string } }, { user: 'ada' });
    expect(r.method).toBe('DELETE');
    expect(r.headers['x-user']).toBe('ada');
    expect(r.headers['x-n']).toBe('5');
  });

  it('sends a text body as text/plain; charset=utf-8', async () => {
    const r = await echo({ method: 'POST', body: 'hi {{input.name}}' }, { name: 'Ada' });
    expect(r.body).toBe('hi Ada');
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('sends an object body as JSON with application/json', async () => {
    const r = await echo({ method: 'POST', body: { n: '{{input.n}}' } }, { n: 2 });
    expect(JSON.parse(r.body)).toEqual({ n: 2 });
    expect(r.headers['content-type']).toBe('application/json');
  });

  it('sends a string body whose one template yields an object as JSON', async () => {
    const r = await echo({ method: 'POST', body: '{{input.payload}}' }, { payload: { a: [1] } });
    expect(r.body).toBe('{"a":[1]}');
    expect(r.headers['content-type']).toBe('application/json');
  });

  it('keeps a content type the task declares, whatever its case, for text and JSON bodies', async () => {
    const text = await echo({ method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: '<a/>' });
    expect(text.headers['content-type']).toBe('application/xml');
    expect(text.body).toBe('<a/>');
    const obj = await echo({ method: 'POST', headers: { 'content-type': 'application/merge-patch+json' }, body: { a: 1 } });
    expect(obj.headers['content-type']).toBe('application/merge-patch+json');
  });

  it('sends no body and no content type when the task has none', async () => {
    const r = await echo({});
    expect(r.body).toBe('');
    expect(r.headers['content-type']).toBeUndefined();
  });

  it('appends query values with ? to a path without a query, encoding names and values', async () => {
    const r = await echo({ query: { 'a b': '{{input.v}}', n: '{{input.n}}' } }, { v: 'x&y=z', n: 3 });
    expect(r.url).toBe('/echo?a%20b=x%26y%3Dz&n=3');
  });

  it('appends query values with & to a path that already has a query', async () => {
    const r = await echo({ url: `${api.url}/echo?fixed=1`, query: { q: 'two' } });
    expect(r.url).toBe('/echo?fixed=1&q=two');
  });

  it('adds no ? when every query value is null or missing', async () => {
    const r = await echo({ query: { a: '{{input.a ?? null}}', b: '{{input.b ?? null}}' } });
    expect(r.url).toBe('/echo');
  });

  it('writes an object query value as JSON', async () => {
    const r = await echo({ query: { f: '{{input.f}}' } }, { f: { a: 1 } });
    expect(r.url).toBe(`/echo?f=${encodeURIComponent('{"a":1}')}`);
  });

  it('returns the status, the output and the URL it called', async () => {
    const http = compile({ url: `${api.url}/echo?token=s3cret` });
    const r = await client.call(http, scope(), undefined, origins);
    expect(r.status).toBe(200);
    expect(r.url).toBe(`${api.url}/echo?token=s3cret`);
  });

  it('calls a dynamic URL with its path and query, and the URL returned is the called one', async () => {
    const http = compile({ url: '{{input.base}}/echo?x=1', query: { y: '2' } });
    const r = await client.call(http, scope({ base: api.url }), undefined, origins);
    expect((r.output as { url: string }).url).toBe('/echo?x=1&y=2');
    expect(r.url).toBe(`${api.url}/echo?x=1&y=2`);
  });

  it('masks credentials of a dynamic URL that does not parse', async () => {
    const http = compile({ url: '{{input.u}}' });
    const err = (await rejection(client.call(http, scope({ u: 'nope?token=abc' }), undefined, origins))) as StepError;
    expect(err.info).toEqual({ type: 'template', code: 'WF_TASK_URL', message: "The dynamic URL 'nope?token=***' is not an absolute URL", hint: 'The URL template must produce http(s)://host/path.' });
  });

  it('calls an https dynamic URL (the protocol check admits it)', async () => {
    const http = compile({ url: '{{input.u}}' });
    const aliased = parseOrigins([`https://secure.test=${api.url}`]);
    const r = await client.call(http, scope({ u: 'https://secure.test/echo' }), undefined, aliased);
    expect(r.url).toBe(`${api.url}/echo`);
  });

  it('opens no more connections per origin than configured', async () => {
    const limited = new HttpClient({ connections: 1 });
    try {
      const http = compile({ url: `${api.url}/port` });
      const results = await Promise.all([1, 2, 3].map(() => limited.call(http, scope(), undefined, origins)));
      expect(new Set(results.map((r) => (r.output as { port: number }).port)).size).toBe(1);
    } finally {
      await limited.close();
    }
  });
});

describe('HttpClient.call timeouts and cancellation', () => {
  const slow = (ms: number) => compile({ url: `${api.url}/slow?ms=${ms}&token=abc` });

  it('fails an attempt that exceeds timeoutMs as a retryable task timeout naming the task and the masked URL', async () => {
    const err = (await rejection(client.call(slow(2000), scope(), undefined, origins, 30, 'get-user'))) as StepError;
    expect(err).toBeInstanceOf(StepError);
    expect(err.info).toEqual({
      type: 'timeout',
      code: 'WF_TASK_TIMEOUT',
      message: `Task 'get-user' did not answer within 30ms (${api.url}/slow?ms=2000&token=***)`,
      hint: 'Raise the task timeout or fix the slow service.',
    });
    expect(err.retryable).toBe(true);
  });

  it("calls the task 'the task' when no name is given", async () => {
    const err = (await rejection(client.call(slow(2000), scope(), undefined, origins, 20))) as StepError;
    expect(err.info.message).toMatch(/^Task 'the task' did not answer within 20ms/);
  });

  it('answers normally within the timeout, also with a run signal', async () => {
    const run = new AbortFanout();
    const r = await client.call(slow(1), scope(), run, origins, 5000);
    expect(r.output).toEqual({ slow: true });
    expect(run.listenerCount('abort')).toBe(0);
  });

  it('stops listening on the run signal once an attempt with a timeout is over', async () => {
    const run = new AbortFanout();
    await client.call(slow(1), scope(), run, origins, 5000);
    await rejection(client.call(slow(2000), scope(), run, origins, 10));
    expect(run.listenerCount('abort')).toBe(0);
  });

  it('does not call at all when the run was already cancelled, and rethrows the run reason', async () => {
    const before = api.calls.length;
    const reason = new DeadlineError(100);
    const err = await rejection(client.call(slow(1), scope(), aborted(reason), origins));
    expect(err).toBe(reason);
    expect(api.calls.length).toBe(before);
  });

  it.each([
    ['a step timeout', new StepTimeoutError(10)],
    ['a cancellation', new CancelledError('caller left')],
  ])('rethrows %s that aborted the run', async (_what, reason) => {
    expect(await rejection(client.call(slow(1), scope(), aborted(reason), origins))).toBe(reason);
  });

  it('turns any other abort reason into a CancelledError', async () => {
    const err = await rejection(client.call(slow(1), scope(), aborted(new Error('whatever')), origins));
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as CancelledError).message).toBe('The run was cancelled');
  });

  it('aborts an in-flight call when the run signal aborts, without a task timeout', async () => {
    const run = new AbortFanout();
    const reason = new DeadlineError(25);
    setTimeout(() => run.abort(reason), 25);
    const started = Date.now();
    expect(await rejection(client.call(slow(2000), scope(), run, origins))).toBe(reason);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("stops listening on the run's handle once an attempt without a timeout is over", async () => {
    const run = new AbortFanout();
    expect((await client.call(slow(1), scope(), run, origins)).output).toEqual({ slow: true });
    expect(run.listenerCount('abort')).toBe(0);
  });

  it('listens on the run handle while the attempt is in flight', async () => {
    const run = new AbortFanout();
    const call = client.call(slow(30), scope(), run, origins);
    expect(run.listenerCount('abort')).toBe(1);
    await call;
    expect(run.listenerCount('abort')).toBe(0);
  });

  it('cancels an attempt whose run aborts before it has a connection', async () => {
    // A new client has no pooled connection: the attempt waits for its socket when the run aborts.
    const fresh = new HttpClient();
    try {
      const run = new AbortFanout();
      const reason = new CancelledError('caller left');
      const before = api.calls.length;
      const call = fresh.call(slow(1), scope(), run, origins, 5000);
      run.abort(reason);
      expect(await rejection(call)).toBe(reason);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(api.calls.length).toBe(before);
    } finally {
      await fresh.close();
    }
  });

  it('stops listening on the run handle when undici cannot dispatch the attempt at all', async () => {
    const closed = new HttpClient();
    await closed.close();
    const run = new AbortFanout();
    const err = (await rejection(closed.call(slow(1), scope(), run, origins, 5000))) as StepError;
    expect(err.info.code).toBe('WF_NETWORK');
    expect(run.listenerCount('abort')).toBe(0);
  });

  it('ignores a timer or run abort that comes after the answer', async () => {
    const run = new AbortFanout();
    const r = await client.call(slow(1), scope(), run, origins, 5000);
    run.abort(new CancelledError('late'));
    expect(r.output).toEqual({ slow: true });
    expect((await client.call(slow(1), scope(), undefined, origins)).output).toEqual({ slow: true });
  });

  it('aborts an in-flight call when the run signal aborts before the task timeout, reporting the run reason', async () => {
    const run = new AbortFanout();
    const reason = new CancelledError('caller left');
    setTimeout(() => run.abort(reason), 25);
    const started = Date.now();
    expect(await rejection(client.call(slow(2000), scope(), run, origins, 5000))).toBe(reason);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('HttpClient.call network errors', () => {
  it('names the code and the message of a dropped connection, with a generic hint, retryable', async () => {
    const http = compile({ url: `${api.url}/hangup?api_key=k` });
    const err = (await rejection(client.call(http, scope(), undefined, origins))) as StepError;
    expect(err.info.type).toBe('network');
    expect(err.info.code).toBe('WF_NETWORK');
    expect(err.info.message).toBe(`Could not reach ${api.url}/hangup?api_key=***: UND_ERR_SOCKET other side closed`);
    expect(err.info.hint).toBe('Check the network path to the service.');
    expect(err.retryable).toBe(true);
  });

  it('does not repeat the code when the message already names it', async () => {
    const http = compile({ url: 'http://127.0.0.1:9/x' });
    const err = (await rejection(client.call(http, scope(), undefined, origins))) as StepError;
    expect(err.info.message).toBe('Could not reach http://127.0.0.1:9/x: ECONNREFUSED');
    expect(err.info.hint).toBe('Nothing listens there: is the service running, and is the origin alias right?');
  });
});
