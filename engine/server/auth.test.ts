import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../model/diagnostic.js';
import { Engine } from '../run/engine.js';
import { createApp } from './app.js';
import { loadTokens, parseTokens } from './auth.js';
import type { LogEntry } from './log.js';
import { post, testRegistry } from './test-app.js';

const READER = 'reader-token-0123456789abcdef';
const RUNNER = 'runner-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdefgh';
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

const TOKENS = `
- { name: grafana, tokenSha256: ${sha(READER)}, scopes: [read] }
- { name: ci, token: ${RUNNER}, scopes: [execute] }
- { name: ops, tokenSha256: ${sha(ADMIN)}, scopes: [admin] }
`;

const engine = new Engine(testRegistry());
const logs: LogEntry[] = [];
const app = createApp({ engine, auth: { tokens: parseTokens(TOKENS, 'tokens.yaml') }, log: (e) => logs.push(e) });
afterAll(() => engine.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const status = async (res: Response | Promise<Response>) => (await res).status;

describe('bearer-token auth', () => {
  it('answers 401 WF_AUTH_REQUIRED with a Bearer challenge when the token is missing', async () => {
    const res = await app.request('/api/v1/workflows');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="weft"');
    expect(await res.json()).toMatchObject({ code: 'WF_AUTH_REQUIRED', hint: expect.stringContaining('Authorization: Bearer') });
  });

  it('answers 401 WF_AUTH_INVALID for a token it does not know', async () => {
    const res = await app.request('/api/v1/workflows', { headers: bearer('wrong-token-0123456789abcdef') });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).code).toBe('WF_AUTH_INVALID');
  });

  it('lets a read token list workflows but answers 403 naming the scope when it executes', async () => {
    expect(await status(app.request('/api/v1/workflows', { headers: bearer(READER) }))).toBe(200);
    const res = await post(app, '/api/v1/workflows/greet/execute', {}, bearer(READER));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'WF_AUTH_SCOPE', detail: "The token 'grafana' lacks the 'execute' scope this route needs" });
  });

  it('lets an execute token dry-run a workflow (the token given in clear in the file)', async () => {
    expect(await status(post(app, '/api/v1/workflows/greet/test', {}, bearer(RUNNER)))).toBe(200);
  });

  it('lets an admin token do everything', async () => {
    expect(await status(app.request('/metrics', { headers: bearer(ADMIN) }))).toBe(200);
    expect(await status(post(app, '/api/v1/workflows/greet/test', {}, bearer(ADMIN)))).toBe(200);
  });

  it('keeps health, readiness and the OpenAPI document open', async () => {
    for (const path of ['/healthz', '/readyz', '/api/v1/openapi.json']) expect(await status(app.request(path))).toBe(200);
  });

  it('asks for a token on unknown routes before saying they do not exist', async () => {
    expect(await status(app.request('/api/v1/nothing'))).toBe(401);
    expect(await status(app.request('/api/v1/nothing', { headers: bearer(READER) }))).toBe(404);
  });

  it('logs the token name, never the token', async () => {
    logs.length = 0;
    await app.request('/api/v1/tasks', { headers: bearer(READER) });
    await app.request('/api/v1/tasks', { headers: bearer('not-a-known-token-at-all') });
    expect(logs[0]).toMatchObject({ status: 200, token: 'grafana' });
    const text = JSON.stringify(logs);
    expect(text).not.toContain(READER);
    expect(text).not.toContain('not-a-known-token-at-all');
  });
});

describe('token lists', () => {
  it('reads a JSON list as well as YAML', () => {
    const tokens = parseTokens(JSON.stringify([{ name: 'a', tokenSha256: sha(READER), scopes: ['read', 'execute'] }]), 'WEFT_TOKENS');
    expect(tokens.map((t) => [t.name, [...t.scopes]])).toEqual([['a', ['read', 'execute']]]);
  });

  it('names every mistake with the source and a pointer, without echoing a token', () => {
    let caught: DiagnosticError | undefined;
    try {
      parseTokens(`[{name: a, token: short-secret, scopes: [write]}, {name: a, tokenSha256: abc, scopes: []}, {tokn: x}]`, 'tokens.yaml');
    } catch (err) {
      caught = err as DiagnosticError;
    }
    expect(caught).toBeInstanceOf(DiagnosticError);
    expect(caught!.diagnostics.map((d) => d.pointer)).toEqual(['/0/token', '/0/scopes/0', '/1/name', '/1/tokenSha256', '/1/scopes', '/2/tokn', '/2/name', '/2', '/2/scopes']);
    expect(caught!.diagnostics.every((d) => d.file === 'tokens.yaml' && d.hint)).toBe(true);
    expect(caught!.message).not.toContain('short-secret');
  });

  it('refuses a file that is not YAML without quoting its text', () => {
    expect(() => parseTokens('- {name: a, token: "unterminated-secret', 'tokens.yaml')).toThrow(/tokens\.yaml is not valid YAML or JSON/);
    try {
      parseTokens('- {name: a, token: "unterminated-secret', 'tokens.yaml');
    } catch (err) {
      expect((err as Error).message).not.toContain('unterminated-secret');
    }
  });

  describe('loadTokens', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'weft-tokens-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('reads --tokens FILE before WEFT_TOKENS, and WEFT_TOKENS when no file is given', async () => {
      const file = join(dir, 'tokens.yaml');
      await writeFile(file, TOKENS);
      const env = { WEFT_TOKENS: `[{name: env, tokenSha256: ${sha(READER)}, scopes: [read]}]` };
      expect((await loadTokens(file, env))!.map((t) => t.name)).toEqual(['grafana', 'ci', 'ops']);
      expect((await loadTokens(undefined, env))!.map((t) => t.name)).toEqual(['env']);
      expect(await loadTokens(undefined, {})).toBeUndefined();
    });

    it('names a token file it cannot read', async () => {
      await expect(loadTokens(join(dir, 'missing.yaml'), {})).rejects.toThrow(/Cannot read the token file .*missing\.yaml: ENOENT/);
    });
  });
});
