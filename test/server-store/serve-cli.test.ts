/**
 * `weft serve`'s history and auth flags, through the real command (`node bin/weft.mjs serve` in a
 * child process, or in-process for the refusals that happen before it listens).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../engine/cli/main.js';
import { sampleResult } from '../../engine/store/samples.js';
import { openStore } from '../../engine/store/store.js';

async function weft(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  try {
    const code = await main(['node', 'weft', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
    return { code, out, err };
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-serve-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('weft serve auth flags', () => {
  it('refuses to start without tokens unless --no-auth is given, and says how', async () => {
    const r = await weft(['serve', '--port', '0'], { WEFT_TOKENS: undefined });
    expect(r.code).toBe(2);
    expect(r.err).toBe('weft: No API tokens are configured\n  hint: Pass --tokens FILE (or set WEFT_TOKENS) to require bearer tokens, or --no-auth to serve without authentication on a trusted machine.\n');
  });

  it('exits 2 naming the file, entry and field of a bad token list', async () => {
    const file = join(dir, 'bad-tokens.yaml');
    await writeFile(file, '- { name: ci, token: too-short, scopes: [execute] }\n');
    const r = await weft(['serve', '--port', '0', '--tokens', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`weft serve: ${file} error WF_AUTH_TOKENS_INVALID ${file}: entry 0: token must be a string of at least 16 characters`);
    expect(r.err).not.toContain('too-short');
  });

  it('exits 2 when --no-auth and a token list are both given', async () => {
    const r = await weft(['serve', '--port', '0', '--no-auth'], { WEFT_TOKENS: '[{name: a, token: abcdefghijklmnopqrstuvwxyz, scopes: [read]}]' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^weft: --no-auth contradicts the tokens of WEFT_TOKENS\n/);
  });

  it('exits 2 when --no-history and --database-url are both given', async () => {
    const r = await weft(['serve', '--no-auth', '--no-history', '--database-url', 'sqlite:x.db']);
    expect(r).toMatchObject({ code: 2, err: 'weft: --no-history and --database-url contradict each other\n  hint: Leave one out.\n' });
  });

  it('exits 1 naming an unsupported database URL, without its password', async () => {
    const r = await weft(['serve', '--port', '0', '--no-auth', '--database-url', 'mysql://root:hunter2@127.0.0.1/weft']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('WF_STORE_URL');
    expect(r.err).not.toContain('hunter2');
  });
});

describe('weft history and weft logs on a local database', () => {
  it('exits 2 naming a SQLite file that does not exist instead of creating it', async () => {
    const missing = join(dir, 'none.db');
    const r = await weft(['history', 'order-checkout', '--database-url', `sqlite:${missing}`]);
    expect(r).toMatchObject({ code: 2, err: `weft: No execution history at ${missing}\n  hint: Run weft serve here first (it records executions), pass --database-url, or ask a running engine with --remote URL.\n` });
  });

  it('exits 1 for an execution id the history does not have', async () => {
    const db = join(dir, 'empty.db');
    await (await openStore({ path: db })).close();
    const r = await weft(['logs', 'no-such-run', '--database-url', `sqlite:${db}`]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[WF_UNKNOWN_EXECUTION]');
  });

  it('prints the table and exits 0 as a process of its own (the store closes before it exits)', async () => {
    const db = join(dir, 'sample.db');
    const store = await openStore({ path: db });
    const result = sampleResult('checkout', { startedAt: Date.now() });
    await store.record(result, { input: {}, trigger: 'api' });
    await store.close();
    const child = spawn(process.execPath, ['bin/weft.mjs', 'history', 'checkout', '--database-url', `sqlite:${db}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(out.split('\n')[1]).toMatch(new RegExp(`^${result.executionId} +succeeded `));
  }, 30_000);

  it('exits 2 for a --limit out of range', async () => {
    expect((await weft(['history', 'x', '--limit', '0'])).code).toBe(2);
  });

  it('exits 1 naming the engine it cannot reach with --remote', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await weft(['history', 'x', '--remote', `http://127.0.0.1:${port}`]);
    expect(r).toEqual({ code: 1, out: '', err: `weft: Cannot reach the engine at http://127.0.0.1:${port}: ECONNREFUSED. Is weft serve running there?\n` });
  });
});

describe('weft serve (child process)', () => {
  it('records executions in --database-url and requires the tokens of --tokens', async () => {
    const tokens = join(dir, 'tokens.yaml');
    await writeFile(tokens, '- { name: ci, token: serve-cli-token-0123456789, scopes: [read, execute] }\n');
    const db = join(dir, 'serve.db');
    const child = spawn(process.execPath, ['bin/weft.mjs', 'serve', '--port', '0', '--with-demo-api', '--demo-api-port', '0', '--tokens', tokens, '--database-url', `sqlite:${db}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let err = '';
      const banner = await new Promise<string>((resolve, reject) => {
        child.stderr!.setEncoding('utf8').on('data', (c: string) => {
          err += c;
          if (/\nhistory: .*\n/.test(err)) resolve(err);
        });
        child.stdout!.resume();
        void exited.then((code) => reject(new Error(`weft serve exited (${code}): ${err}`)));
      });
      expect(banner).toContain(`history: sqlite ${db}; auth: 1 token\n`);
      const url = /weft listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1];
      expect((await fetch(`${url}/api/v1/workflows`)).status).toBe(401);
      const res = await fetch(`${url}/api/v1/workflows/order-checkout/execute`, {
        method: 'POST',
        headers: { authorization: 'Bearer serve-cli-token-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify({ input: { userId: '42', sku: 'SKU-003', quantity: 2 } }),
      });
      expect(res.status).toBe(200);
      const id = res.headers.get('x-execution-id')!;
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const store = await openStore({ path: db });
      try {
        expect((await store.getExecution(id))?.status).toBe('succeeded');
      } finally {
        await store.close();
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
