/**
 * Issue 4: the cost of execution history.
 *
 * `store.history`: the four-call workflow (`order-checkout`) served by `weft serve`
 * (`node bin/weft.mjs serve --no-auth`) in child processes against one demo API child, loaded
 * from this process at concurrency 32: with history off (`--no-history`, the baseline), on
 * SQLite (`--database-url sqlite:…`, the default store) and on PostgreSQL (`--database-url
 * postgres://…`, a schema of its own), measured in interleaved rounds in the same run. With
 * history on, every 200 is sent only after the run's record is committed (group commit).
 * Target: each history throughput at least 70% of history off. PostgreSQL is the one at
 * WEFT_BENCH_DATABASE_URL, else the test database at 127.0.0.1:5432; when it does not answer, its
 * figure is left out and a note says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../engine/store/store.js';
import { figure, paired, profileArgs, type BenchContext, type BenchModule, type Figure } from './support/figures.js';
import { loadPool, runLoad, type LoadRequest, type LoadResult } from './support/load.js';
import { startChildServer, startDemoApiChild, type ChildServer } from './support/processes.js';

const CHECKOUT = JSON.stringify({ input: { userId: '42', sku: 'SKU-003', quantity: 2 } });
const CONCURRENCY = 32;
const PG_URL = process.env.WEFT_BENCH_DATABASE_URL || process.env.WEFT_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

interface Variant {
  name: 'off' | 'sqlite' | 'postgres';
  args: string[];
  server?: ChildServer;
}

/** True when PostgreSQL answers a query within two seconds. */
async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function pgQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function history(ctx: BenchContext): Promise<Figure[]> {
  const rounds = ctx.quick ? 1 : 8;
  const perRound = ctx.quick ? 200 : 3_000;
  const warmup = ctx.quick ? 100 : 2_000;
  const dir = mkdtempSync(join(tmpdir(), 'weft-bench-store-'));
  const schema = `weft_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const children: ChildServer[] = [];
  const usePostgres = await postgresAnswers(PG_URL);
  if (usePostgres) await pgQuery(PG_URL, `create schema "${schema}"`);
  else ctx.note(`store.history: no PostgreSQL answers at ${new URL(PG_URL).host}; the PostgreSQL figure is left out`);
  const pgUrl = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const sqliteFile = join(dir, 'history.db');
  const variants: Variant[] = [
    { name: 'off', args: ['--no-history'] },
    { name: 'sqlite', args: ['--database-url', `sqlite:${sqliteFile}`] },
    ...(usePostgres ? [{ name: 'postgres' as const, args: ['--database-url', pgUrl] }] : []),
  ];
  try {
    const api = await startDemoApiChild(ctx.root);
    children.push(api);
    for (const v of variants) {
      v.server = await startChildServer(
        `weft serve (history ${v.name})`,
        [...profileArgs(ctx, `weft-${v.name}`), join(ctx.root, 'bin/weft.mjs'), 'serve', '--no-auth', '--definitions', join(ctx.root, 'fixtures/examples'), '--origin', `http://demo-api=${api.url}`, '--host', '127.0.0.1', '--port', '0', ...v.args],
        { cwd: dir },
      );
      children.push(v.server);
    }
    ctx.note('store.history: bin/weft.mjs serve --no-auth, history off (--no-history) vs on (--database-url sqlite:FILE, postgres://…), concurrency 32, synchronous execute (answers after the record is committed)');
    const request: LoadRequest = {
      method: 'POST',
      path: '/api/v1/workflows/order-checkout/execute',
      body: CHECKOUT,
      check: (status, text) => (status === 200 && text.includes('"status":"succeeded"') ? undefined : `status ${status}: ${text.slice(0, 300)}`),
    };
    const pools = new Map(variants.map((v) => [v.name, loadPool(v.server!.url, CONCURRENCY)]));
    for (const v of variants) await runLoad(pools.get(v.name)!, request, CONCURRENCY, warmup);
    const results = new Map<Variant['name'], LoadResult[]>(variants.map((v) => [v.name, []]));
    for (let r = 0; r < rounds; r++) {
      // Rotate the order every round so no variant always runs first or last.
      const order = variants.map((_, i) => variants[(i + r) % variants.length]);
      for (const v of order) results.get(v.name)!.push(await runLoad(pools.get(v.name)!, request, CONCURRENCY, perRound));
      ctx.log(`store.history round ${r + 1}/${rounds}: ${variants.map((v) => `${v.name} ${results.get(v.name)!.at(-1)!.throughput.toFixed(0)} req/s`).join(', ')}`);
    }
    await Promise.all([...pools.values()].map((p) => p.close()));

    // Every answered run must be in the history it was sent to.
    const expected = warmup + rounds * perRound;
    const sqlite = await openStore({ path: sqliteFile });
    const counts: Record<string, number> = { sqlite: (await sqlite.workflowStats({ workflow: 'order-checkout', from: 0, to: Date.now() + 60_000 }))[0]?.count ?? 0 };
    await sqlite.close();
    if (usePostgres) {
      const store = await openStore({ url: PG_URL, schema });
      counts.postgres = (await store.workflowStats({ workflow: 'order-checkout', from: 0, to: Date.now() + 60_000 }))[0]?.count ?? 0;
      await store.close();
    }
    for (const [name, count] of Object.entries(counts)) {
      if (count !== expected) throw new Error(`store.history: ${name} holds ${count} executions of order-checkout, the load got ${expected} answers`);
    }

    const off = results.get('off')!;
    const figures: Figure[] = [];
    for (const v of variants.filter((x) => x.name !== 'off')) {
      const on = results.get(v.name)!;
      const tp = paired({ subject: on.map((x) => x.throughput), baseline: off.map((x) => x.throughput) });
      const p50 = paired({ subject: on.map((x) => x.p50Ms), baseline: off.map((x) => x.p50Ms) });
      const p99 = paired({ subject: on.map((x) => x.p99Ms), baseline: off.map((x) => x.p99Ms) });
      const baseline = (value: number) => ({ name: 'history off', value });
      figures.push(
        figure({ name: `store.history.${v.name}.throughput`, value: tp.value, unit: 'req/s', baseline: baseline(tp.baseline), ratio: tp.ratio, target: { op: '>=', value: 0.7, of: 'ratio' } }),
        figure({ name: `store.history.${v.name}.p50`, value: p50.value, unit: 'ms', baseline: baseline(p50.baseline), ratio: p50.ratio }),
        figure({ name: `store.history.${v.name}.p99`, value: p99.value, unit: 'ms', baseline: baseline(p99.baseline), ratio: p99.ratio }),
      );
    }
    return figures;
  } finally {
    await Promise.all(children.map((c) => c.close()));
    if (usePostgres) await pgQuery(PG_URL, `drop schema if exists "${schema}" cascade`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const bench: BenchModule = {
  name: 'store.history',
  description: 'Four-call workflow over HTTP with history on (SQLite, PostgreSQL) vs off, concurrency 32',
  run: history,
};

export default bench;
