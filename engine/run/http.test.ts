import { describe, expect, it } from 'vitest';
import { abortHub, compileHttp, HttpCompileError, parseOrigins } from './http.js';

const origins = parseOrigins(['http://demo-api=http://127.0.0.1:8090', 'users.internal=http://127.0.0.1:9000/ignored-path']);

describe('parseOrigins', () => {
  it('maps FROM=TO pairs, adding http:// and keeping only the target origin', () => {
    expect([...origins]).toEqual([
      ['http://demo-api', 'http://127.0.0.1:8090'],
      ['http://users.internal', 'http://127.0.0.1:9000'],
    ]);
    expect([...parseOrigins({ 'https://a.example': 'http://127.0.0.1:1' })]).toEqual([['https://a.example', 'http://127.0.0.1:1']]);
  });

  it('refuses an entry without =', () => {
    expect(() => parseOrigins(['http://demo-api'])).toThrow(/FROM=TO/);
  });
});

describe('compileHttp', () => {
  it('fixes the origin at compile time through the aliases and compiles the path', () => {
    const h = compileHttp({ method: 'get', url: 'http://demo-api/users/{{input.id}}?x=1' }, "task 't'", origins);
    expect(h.origin).toBe('http://127.0.0.1:8090');
    expect(h.declaredOrigin).toBe('http://demo-api');
    expect(h.method).toBe('GET');
    expect(h.target.resolve({ input: { id: 'a/b c' }, tasks: {} })).toBe('/users/a%2Fb%20c?x=1');
  });

  it('keeps an origin that has no alias and defaults the path to /', () => {
    const h = compileHttp({ url: 'https://api.example.com' }, "task 't'", origins);
    expect(h.origin).toBe('https://api.example.com');
    expect(h.target.resolve({ input: {}, tasks: {} })).toBe('/');
  });

  it('refuses a template in the scheme or host', () => {
    expect(() => compileHttp({ url: 'http://{{input.host}}/x' }, "task 't'", origins)).toThrow(HttpCompileError);
    expect(() => compileHttp({ url: 'http://{{input.host}}/x' }, "task 't'", origins)).toThrow(/scheme or host/);
  });

  it('refuses a URL that is not absolute http(s)', () => {
    expect(() => compileHttp({ url: '/relative' }, "task 't'", origins)).toThrow(/not an absolute http\(s\) URL/);
    expect(() => compileHttp({ url: 'ftp://x/y' }, "task 't'", origins)).toThrow(HttpCompileError);
  });

  it('treats a URL that starts with a template as an explicitly dynamic origin', () => {
    const h = compileHttp({ url: '{{input.base}}/x' }, "task 't'", origins);
    expect(h.origin).toBeUndefined();
    expect(h.target.resolve({ input: { base: 'http://h:1' }, tasks: {} })).toBe('http://h:1/x');
  });

  it('classifies the body: object as JSON, string as text, none', () => {
    expect(compileHttp({ url: 'http://h/', body: { a: 1 } }, 't', origins).bodyKind).toBe('json');
    expect(compileHttp({ url: 'http://h/', body: 'hi {{input.x}}' }, 't', origins).bodyKind).toBe('text');
    expect(compileHttp({ url: 'http://h/' }, 't', origins).bodyKind).toBe('none');
    expect(compileHttp({ url: 'http://h/', headers: { 'Content-Type': 'application/xml' }, body: 'x' }, 't', origins).hasContentType).toBe(true);
  });
});

describe('abortHub', () => {
  it('gives every call on one signal the same fan-out, which fires once when the signal aborts', () => {
    const controller = new AbortController();
    const hub = abortHub(controller.signal);
    expect(abortHub(controller.signal)).toBe(hub);
    let fired = 0;
    hub.on('abort', () => fired++);
    const removed = () => (fired += 100);
    hub.once('abort', () => fired++);
    hub.on('abort', removed);
    hub.removeListener('abort', removed);
    expect(hub.aborted).toBe(false);
    controller.abort('bye');
    controller.abort();
    expect(fired).toBe(2);
    expect(hub).toMatchObject({ aborted: true, reason: 'bye' });
  });

  it('fires for a signal that was already aborted', async () => {
    const hub = abortHub(AbortSignal.abort());
    const fired = new Promise<void>((resolve) => hub.once('abort', () => resolve()));
    await expect(fired).resolves.toBeUndefined();
  });
});
