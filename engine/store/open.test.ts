import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../model/diagnostic.js';
import { sampleResult } from './samples.js';
import { openStore, redactUrl } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function openError(options: Parameters<typeof openStore>[0]) {
  const err = await openStore(options).then(
    (s) => s.close().then(() => undefined),
    (e) => e,
  );
  expect(err).toBeInstanceOf(DiagnosticError);
  return (err as DiagnosticError).diagnostics[0];
}

describe('openStore', () => {
  it('uses the SQLite file named by WEFT_DATABASE_URL=sqlite:PATH', async () => {
    const path = join(dir, 'env.db');
    const store = await openStore({ env: { WEFT_DATABASE_URL: `sqlite:${path}` } });
    expect([store.dialect, store.location]).toEqual(['sqlite', path]);
    await store.close();
  });

  it('prefers an explicit path to WEFT_DATABASE_URL', async () => {
    const path = join(dir, 'explicit.db');
    const store = await openStore({ path, env: { WEFT_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } });
    expect([store.dialect, store.location]).toEqual(['sqlite', path]);
    await store.close();
  });

  it('rejects a WEFT_SQLITE_SYNCHRONOUS other than normal or full with WF_STORE_SYNCHRONOUS', async () => {
    const d = await openError({ path: join(dir, 'sync.db'), env: { WEFT_SQLITE_SYNCHRONOUS: 'off' } });
    expect(d).toMatchObject({ code: 'WF_STORE_SYNCHRONOUS', message: "WEFT_SQLITE_SYNCHRONOUS must be 'normal' or 'full', got 'off'" });
  });

  it('rejects an unsupported URL scheme with WF_STORE_URL, without the password', async () => {
    const d = await openError({ url: 'mysql://weft:hunter2@db/weft' });
    expect(d).toMatchObject({ code: 'WF_STORE_URL', message: "Unsupported database URL 'mysql://weft:***@db/weft'" });
    expect(d.hint).toContain('postgres://');
  });

  it('reports an unreachable PostgreSQL with WF_STORE_UNAVAILABLE, without the password', async () => {
    const d = await openError({ url: 'postgres://weft:hunter2@127.0.0.1:1/weft' });
    expect(d.code).toBe('WF_STORE_UNAVAILABLE');
    expect(d.message).toContain('postgres://weft:***@127.0.0.1:1/weft');
    expect(JSON.stringify(d)).not.toContain('hunter2');
  });

  it('rejects a schema name that is not an identifier with WF_STORE_SCHEMA', async () => {
    expect((await openError({ url: 'postgres://weft@127.0.0.1:1/weft', schema: 'x"; drop' })).code).toBe('WF_STORE_SCHEMA');
  });

  it('reports a SQLite file that cannot be created with WF_STORE_OPEN', async () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'not a directory');
    const d = await openError({ path: join(file, 'weft.db') });
    expect(d.code).toBe('WF_STORE_OPEN');
    expect(d.message).toContain(join(file, 'weft.db'));
  });

  it('leaves every record in the database file, not the WAL, once closed', async () => {
    const path = join(dir, 'closed.db');
    const store = await openStore({ path });
    await Promise.all(Array.from({ length: 50 }, () => store.record(sampleResult('closing'), { input: {} })));
    await store.close();
    expect(!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0).toBe(true);
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('select count(*) as n from executions').get()).toEqual({ n: 50 });
    raw.close();
  });

  it('refuses a database migrated by a newer version with WF_STORE_MIGRATION', async () => {
    const path = join(dir, 'newer.db');
    await (await openStore({ path })).close();
    const raw = new Database(path);
    raw.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('9999_from_the_future', new Date().toISOString());
    raw.close();
    const d = await openError({ path });
    expect(d.code).toBe('WF_STORE_MIGRATION');
    expect(d.message).toContain(path);
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the user', () => {
    expect(redactUrl('postgres://weft:s3cret@db:5432/weft')).toBe('postgres://weft:***@db:5432/weft');
    expect(redactUrl('postgres://weft@db/weft')).toBe('postgres://weft@db/weft');
  });
});
