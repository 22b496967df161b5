import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../test/support/http.js';
import { compileHttp, HttpClient, parseOrigins } from './http.js';
import { StepError } from './errors.js';

let api: TestServer;
const client = new HttpClient();

beforeAll(async () => {
  api = await startServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const type = url.searchParams.get('type');
    const status = Number(url.searchParams.get('status') ?? 200);
    const body = url.searchParams.get('body') ?? '';
    const headers: Record<string, string> = type ? { 'content-type': type } : {};
    if (url.searchParams.get('location')) headers.location = url.searchParams.get('location')!;
    if (url.searchParams.get('ra')) headers['retry-after'] = url.searchParams.get('ra')!;
    // Headers sent after content-type and retry-after, with names close to theirs.
    if (url.searchParams.get('decoys')) Object.assign(headers, { 'x-content-type': 'text/plain', 'x-retry-after': '99' });
    if (url.searchParams.get('big')) {
      res.writeHead(status, { 'Content-Type': 'Application/JSON' });
      // Several writes: the body arrives in more than one chunk.
      const item = JSON.stringify({ id: 'x'.repeat(100) });
      res.write('[');
      for (let i = 0; i < 3000; i++) res.write(i ? `,${item}` : item);
      return void res.end(']');
    }
    res.writeHead(status, headers);
    res.end(status === 204 ? undefined : body);
  });
});
afterAll(async () => {
  await api.close();
  await client.close();
});

const origins = parseOrigins([]);
async function call(query: Record<string, string>) {
  const http = compileHttp({ url: `${api.url}/r`, query }, "task 't'", origins);
  return client.call(http, { input: {}, tasks: {} }, undefined, origins);
}
async function failure(query: Record<string, string>): Promise<StepError> {
  try {
    await call(query);
  } catch (err) {
    return err as StepError;
  }
  throw new Error('expected the call to fail');
}

describe('HttpClient responses', () => {
  it('reads 204 as null', async () => {
    expect((await call({ status: '204' })).output).toBeNull();
  });

  it('reads XML and form bodies as text, and an empty untyped body as null', async () => {
    expect((await call({ type: 'application/xml', body: '<a/>' })).output).toBe('<a/>');
    expect((await call({ type: 'application/x-www-form-urlencoded', body: 'a=1' })).output).toBe('a=1');
    expect((await call({})).output).toBeNull();
  });

  it('reads content-type and retry-after among other headers', async () => {
    expect((await call({ type: 'application/json', body: '{"a":1}', decoys: '1' })).output).toEqual({ a: 1 });
    const err = await failure({ status: '503', ra: '2', decoys: '1' });
    expect(err.retryAfterMs).toBe(2000);
  });

  it('reads a body that arrives in many chunks, with a mixed-case content type', async () => {
    const output = (await call({ big: '1' })).output as Array<{ id: string }>;
    expect(output).toHaveLength(3000);
    expect(output[2999]).toEqual({ id: 'x'.repeat(100) });
  });

  it('reads an empty JSON body as null and +json types as JSON', async () => {
    expect((await call({ type: 'application/json' })).output).toBeNull();
    expect((await call({ type: 'application/problem+json', body: '{"a":1}' })).output).toEqual({ a: 1 });
  });

  it('fails a body that claims JSON but is not, naming the type', async () => {
    const err = await failure({ type: 'application/json', body: '{nope' });
    expect(err.info).toMatchObject({ type: 'response', code: 'WF_RESPONSE_JSON', httpStatus: 200 });
    expect(err.info.message).toContain('application/json');
  });

  it('returns binary bodies as base64 with their type and size', async () => {
    expect((await call({ type: 'image/png; x=y', body: 'AB' })).output).toEqual({ contentType: 'image/png', size: 2, encoding: 'base64', data: 'QUI=' });
  });

  it.each([
    ['detail', '{"detail":"bad id"}', 'bad id'],
    ['message', '{"message":"no such user"}', 'no such user'],
    ['error', '{"error":"denied"}', 'denied'],
    ['title', '{"title":"Conflict"}', 'Conflict'],
  ])('puts the %s of an error body in the message', async (_k, body, text) => {
    const err = await failure({ status: '409', type: 'application/json', body });
    expect(err.info.message).toContain(`answered 409: ${text}`);
    expect(err.retryable).toBe(false);
  });

  it('puts a JSON error body without a known field, or a text body, in the message', async () => {
    expect((await failure({ status: '400', type: 'application/json', body: '{"x":1}' })).info.message).toContain('answered 400: {"x":1}');
    expect((await failure({ status: '400', type: 'text/plain', body: 'plain no' })).info.message).toContain('answered 400: plain no');
    expect((await failure({ status: '400' })).info.message).toMatch(/answered 400$/);
  });

  it('retries 5xx, 429 and 408, not other 4xx, with a hint for each', async () => {
    const e500 = await failure({ status: '503' });
    expect(e500.retryable).toBe(true);
    expect(e500.info.hint).toMatch(/retry policy/);
    const e429 = await failure({ status: '429' });
    expect(e429.retryable).toBe(true);
    expect(e429.info.hint).toMatch(/Retry-After/);
    expect((await failure({ status: '408' })).retryable).toBe(true);
    const e404 = await failure({ status: '404' });
    expect(e404.retryable).toBe(false);
    expect(e404.info.hint).toMatch(/path and the ids/);
    expect((await failure({ status: '403' })).info.hint).toMatch(/not retried/);
  });

  it('does not follow redirects and says so', async () => {
    const err = await failure({ status: '302', location: '/elsewhere' });
    expect(err.info).toMatchObject({ code: 'WF_HTTP_302', httpStatus: 302 });
    expect(err.info.hint).toMatch(/Redirects are not followed/);
  });

  it('calls a refused port a network error with a hint, retryable', async () => {
    const http = compileHttp({ url: 'http://127.0.0.1:9/x' }, "task 't'", origins);
    try {
      await client.call(http, { input: {}, tasks: {} }, undefined, origins);
      expect.unreachable();
    } catch (err) {
      const e = err as StepError;
      expect(e.info).toMatchObject({ type: 'network', code: 'WF_NETWORK' });
      expect(e.info.message).toContain('ECONNREFUSED');
      expect(e.info.hint).toMatch(/Nothing listens there/);
      expect(e.retryable).toBe(true);
    }
  });

  it('refuses a dynamic URL that is not absolute or not http(s)', async () => {
    const http = compileHttp({ url: '{{input.u}}' }, "task 't'", origins);
    await expect(client.call(http, { input: { u: 'not a url' }, tasks: {} }, undefined, origins)).rejects.toMatchObject({ info: { code: 'WF_TASK_URL' } });
    await expect(client.call(http, { input: { u: 'file:///etc/passwd' }, tasks: {} }, undefined, origins)).rejects.toMatchObject({ info: { code: 'WF_TASK_URL', message: expect.stringContaining("'file:'") } });
  });

  it('maps a dynamic origin through the aliases and keeps its path and query', async () => {
    const aliased = parseOrigins([`http://svc=${api.url}`]);
    const http = compileHttp({ url: '{{input.base}}/r?type=text/plain&body=hi' }, "task 't'", aliased);
    const r = await client.call(http, { input: { base: 'http://svc' }, tasks: {} }, undefined, aliased);
    expect(r).toMatchObject({ status: 200, output: 'hi', url: `${api.url}/r?type=text/plain&body=hi` });
  });

  it('sends each array element of a query value as its own parameter and skips null', async () => {
    const http = compileHttp({ url: `${api.url}/r?type=text/plain`, query: { tag: '{{input.tags}}', none: '{{input.none ?? null}}' } }, "task 't'", origins);
    const r = await client.call(http, { input: { tags: ['a', 'b c'] }, tasks: {} }, undefined, origins);
    expect(r.url).toBe(`${api.url}/r?type=text/plain&tag=a&tag=b%20c`);
  });

  it('reads 204 and 304 as null whatever type they claim', async () => {
    expect((await call({ status: '204', type: 'image/png' })).output).toBeNull();
    expect((await failure({ status: '304', type: 'image/png' })).info.message).toMatch(/answered 304$/);
  });

  it('reads an empty text body as an empty string, and an untyped body as text', async () => {
    expect((await call({ type: 'text/plain' })).output).toBe('');
    expect((await call({ body: 'raw' })).output).toBe('raw');
  });

  it('reads content types whatever their case', async () => {
    expect((await call({ type: 'Application/JSON', body: '[1]' })).output).toEqual([1]);
    expect((await call({ type: 'TEXT/CSV', body: 'a,b' })).output).toBe('a,b');
  });

  it('accepts every 2xx and refuses 300', async () => {
    expect(await call({ status: '299', type: 'text/plain', body: 'ok' })).toMatchObject({ status: 299, output: 'ok' });
    expect(await call({ status: '200' })).toMatchObject({ status: 200 });
    const e300 = await failure({ status: '300' });
    expect(e300.info).toMatchObject({ type: 'http', code: 'WF_HTTP_300', httpStatus: 300, hint: 'Redirects are not followed; call the final URL.' });
    expect(e300.retryable).toBe(false);
  });

  it('writes the method, the masked URL, the status and the detail in the message', async () => {
    const http = compileHttp({ method: 'put', url: `${api.url}/r?status=404&type=application/json&token=abc`, query: { body: '{"message":"no such order"}' } }, "task 't'", origins);
    const err = (await client.call(http, { input: {}, tasks: {} }, undefined, origins).catch((e: unknown) => e)) as StepError;
    expect(err.info).toEqual({
      type: 'http',
      code: 'WF_HTTP_404',
      message: `PUT ${api.url}/r?status=404&type=application/json&token=***&body=%7B%22message%22%3A%22no%20such%20order%22%7D answered 404: no such order`,
      hint: 'Check the path and the ids passed to it.',
      httpStatus: 404,
    });
  });

  it('treats exactly 500 as a retryable server failure and exactly 400 as a refusal', async () => {
    const e500 = await failure({ status: '500' });
    expect(e500.retryable).toBe(true);
    expect(e500.info.hint).toBe('The service failed; a retry policy may help.');
    const e400 = await failure({ status: '400' });
    expect(e400.retryable).toBe(false);
    expect(e400.info.hint).toBe('The request was refused; check the task input and headers. 4xx answers are not retried.');
    expect((await failure({ status: '429' })).info.hint).toBe('The service is rate limiting; retries honour Retry-After.');
  });

  it('passes Retry-After of a retryable answer on, and ignores it on one that is not retried', async () => {
    expect((await failure({ status: '503', ra: '2' })).retryAfterMs).toBe(2000);
    expect((await failure({ status: '429', ra: '1' })).retryAfterMs).toBe(1000);
    expect((await failure({ status: '503' })).retryAfterMs).toBeUndefined();
    expect((await failure({ status: '400', ra: '2' })).retryAfterMs).toBeUndefined();
  });

  it('prefers detail over message over error over title', async () => {
    const body = JSON.stringify({ title: 'T', error: 'E', message: 'M', detail: 'D' });
    expect((await failure({ status: '422', type: 'application/json', body })).info.message).toMatch(/answered 422: D$/);
    expect((await failure({ status: '422', type: 'application/json', body: JSON.stringify({ title: 'T', error: 'E', message: 'M' }) })).info.message).toMatch(/answered 422: M$/);
    expect((await failure({ status: '422', type: 'application/json', body: JSON.stringify({ title: 'T', error: 'E' }) })).info.message).toMatch(/answered 422: E$/);
  });

  it('writes the whole JSON body when its detail is not a string', async () => {
    expect((await failure({ status: '422', type: 'application/json', body: '{"detail":{"field":"id"}}' })).info.message).toMatch(/answered 422: \{"detail":\{"field":"id"\}\}$/);
  });

  it('writes a scalar JSON error body as it reads', async () => {
    expect((await failure({ status: '400', type: 'application/json', body: '42' })).info.message).toMatch(/answered 400: 42$/);
    expect((await failure({ status: '400', type: 'application/json', body: 'false' })).info.message).toMatch(/answered 400: false$/);
  });

  it('cuts a long error detail, text or JSON body to 200 characters', async () => {
    const long = 'x'.repeat(250);
    expect((await failure({ status: '400', type: 'text/plain', body: long })).info.message).toMatch(/answered 400: x{200}$/);
    expect((await failure({ status: '400', type: 'application/json', body: JSON.stringify({ detail: long }) })).info.message).toMatch(/answered 400: x{200}$/);
    const big = JSON.stringify({ list: [long] });
    expect((await failure({ status: '400', type: 'application/json', body: big })).info.message.endsWith(`answered 400: ${big.slice(0, 200)}`)).toBe(true);
  });
});
