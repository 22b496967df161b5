import { describe, expect, it } from 'vitest';
import { compileHttp, HttpCompileError, parseOrigins } from './http.js';

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
    expect(() => parseOrigins(['=http://127.0.0.1:1'])).toThrow("Origin alias '=http://127.0.0.1:1' is not FROM=TO");
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

describe('parseOrigins details', () => {
  it('trims both sides, drops a trailing slash and lowercases the alias', () => {
    expect([...parseOrigins([' HTTP://Demo-API/ = http://127.0.0.1:8090/x '])]).toEqual([['http://demo-api', 'http://127.0.0.1:8090']]);
  });

  it('keeps an https alias as https, whatever the case of its scheme', () => {
    expect([...parseOrigins(['HTTPS://pay.example=http://127.0.0.1:1'])]).toEqual([['https://pay.example', 'http://127.0.0.1:1']]);
  });

  it('accepts any iterable of entries', () => {
    expect([...parseOrigins(new Set(['a=http://127.0.0.1:2']))]).toEqual([['http://a', 'http://127.0.0.1:2']]);
  });

  it('names the bad entry in the error', () => {
    expect(() => parseOrigins(['ok=http://127.0.0.1:1', 'broken'])).toThrow("Origin alias 'broken' is not FROM=TO (e.g. http://demo-api=http://127.0.0.1:8090)");
  });
});

describe('compileHttp details', () => {
  const scope = { input: {}, tasks: {} };

  it('defaults the method to GET and upper-cases a given one', () => {
    expect(compileHttp({ url: 'http://h/' }, 't', origins).method).toBe('GET');
    expect(compileHttp({ url: 'http://h/', method: 'patch' }, 't', origins).method).toBe('PATCH');
  });

  it('trims the URL and matches the scheme and the alias whatever their case', () => {
    const h = compileHttp({ url: '  HTTP://Demo-API/users  ' }, 't', origins);
    expect(h.origin).toBe('http://127.0.0.1:8090');
    expect(h.declaredOrigin).toBe('HTTP://Demo-API');
    expect(h.target.resolve(scope)).toBe('/users');
  });

  it('normalises the origin (default port dropped, host lowercased)', () => {
    expect(compileHttp({ url: 'http://Api.Example:80/x' }, 't', origins).origin).toBe('http://api.example');
  });

  it('starts a path that is only a query with /', () => {
    expect(compileHttp({ url: 'http://h.example?x=1' }, 't', origins).target.resolve(scope)).toBe('/?x=1');
  });

  it('keeps query templates unencoded until the call, and headers as strings', () => {
    const h = compileHttp({ url: 'http://h/', query: { q: '{{input.q}}' }, headers: { 'X-N': 5 as unknown as string } }, 't', origins);
    expect(h.query.map(([k, v]) => [k, v.resolve({ input: { q: 'a b' }, tasks: {} })])).toEqual([['q', 'a b']]);
    expect(h.headers.map(([k, v]) => [k, v.resolve(scope)])).toEqual([['X-N', '5']]);
    expect(h.hasContentType).toBe(false);
    expect(h.body).toBeUndefined();
  });

  it('treats a null body as no body, and 0 or an empty string as a body', () => {
    expect(compileHttp({ url: 'http://h/', body: null }, 't', origins)).toMatchObject({ bodyKind: 'none', body: undefined });
    const zero = compileHttp({ url: 'http://h/', body: 0 }, 't', origins);
    expect(zero.bodyKind).toBe('json');
    expect(zero.body!.resolve(scope)).toBe(0);
    expect(compileHttp({ url: 'http://h/', body: '' }, 't', origins).bodyKind).toBe('text');
  });

  it('names the part of the task a template error comes from', () => {
    const missing = (spec: Parameters<typeof compileHttp>[0]) => {
      const h = compileHttp(spec, "task 'get-user'", origins);
      const parts = [h.target, ...h.headers.map(([, v]) => v), ...h.query.map(([, v]) => v), ...(h.body ? [h.body] : [])];
      for (const p of parts) {
        try {
          p.resolve(scope);
        } catch (err) {
          return (err as Error).message;
        }
      }
      return 'no error';
    };
    expect(missing({ url: 'http://h/{{input.id}}' })).toMatch(/^task 'get-user' url: /);
    expect(missing({ url: '{{input.base}}/x' })).toMatch(/^task 'get-user' url: /);
    expect(missing({ url: 'http://h/', headers: { 'X-Id': '{{input.id}}' } })).toMatch(/^task 'get-user' header 'X-Id': /);
    expect(missing({ url: 'http://h/', query: { id: '{{input.id}}' } })).toMatch(/^task 'get-user' query 'id': /);
    expect(missing({ url: 'http://h/', body: { id: '{{input.id}}' } })).toMatch(/^task 'get-user' body: /);
  });

  it('explains a URL that is not absolute, with a hint', () => {
    try {
      compileHttp({ url: 'orders-api/x' }, "task 't'", origins);
      expect.unreachable();
    } catch (err) {
      const e = err as HttpCompileError;
      expect(e.code).toBe('WF_TASK_URL');
      expect(e.message).toBe("task 't': url 'orders-api/x' is not an absolute http(s) URL");
      expect(e.hint).toBe('Write the full URL, e.g. http://orders-api/orders/{{input.id}}.');
    }
  });

  it('explains a template in the host, with a hint', () => {
    try {
      compileHttp({ url: 'https://{{input.host}}.example/x' }, "task 't'", origins);
      expect.unreachable();
    } catch (err) {
      const e = err as HttpCompileError;
      expect(e.code).toBe('WF_TASK_URL');
      expect(e.message).toBe("task 't': url 'https://{{input.host}}.example/x' puts a template in the scheme or host");
      expect(e.hint).toBe('Templates may fill path segments and query values only. For a dynamic host, start the URL with a template: {{input.baseUrl}}/path.');
    }
  });
});

