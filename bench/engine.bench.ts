/**
 * Issue 2, item 10: the engine's own cost.
 *
 * - `engine.overhead`: per-step overhead of `Engine.execute` on seeded layered DAGs of 10, 50
 *   and 200 steps with an in-process runner that answers at once, against a hand-written
 *   Promise graph making the same runner calls with the same inputs.
 * - `engine.e2e`: the four-call workflow (`order-checkout`: three parallel GETs, one POST built
 *   from two of their outputs) served over HTTP by the engine, against a hand-written node:http
 *   + undici server doing the same calls, both in child processes calling the demo API (a third
 *   child), loaded from this process at concurrency 1 and 32.
 */
import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { loadText } from '../engine/load/index.js';
import { DefinitionRegistry } from '../engine/load/registry.js';
import { Engine, type TaskRunner } from '../engine/run/index.js';
import { dagDefinitions, layeredDag, promiseGraph } from './support/dag.js';
import { elapsedNs, figure, interleave, median, type BenchContext, type BenchModule, type Figure } from './support/figures.js';
import { loadPool, runLoad, type LoadRequest, type LoadResult } from './support/load.js';
import { startChildServer, startDemoApiChild, type ChildServer } from './support/processes.js';

const DAG_SIZES = [10, 50, 200] as const;
const DAG_SEED = 20_240_601;
const OVERHEAD_TARGET_US = 5;
const OVERHEAD_TARGET_SIZE = 50;

/** Runs `fn` `iterations` times in sequence; returns nanoseconds per step. */
async function timePerStep(fn: () => Promise<unknown>, iterations: number, steps: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  return elapsedNs(start) / (iterations * steps);
}

async function overhead(ctx: BenchContext): Promise<Figure[]> {
  const stepsPerBatch = ctx.quick ? 2_000 : 40_000;
  const rounds = ctx.quick ? 3 : 15;
  const warmupBatches = ctx.quick ? 1 : 3;
  let calls = 0;
  const runner: TaskRunner = async () => {
    calls++;
    return { v: 1 };
  };
  const figures: Figure[] = [];
  for (const size of DAG_SIZES) {
    const dag = layeredDag(size, DAG_SEED + size);
    const name = `dag-${size}`;
    const loaded = loadText(dagDefinitions(dag, name), `${name}.yaml`);
    const problems = loaded.diagnostics.filter((d) => d.severity === 'error');
    if (problems.length) throw new Error(`${name}: ${problems.map((d) => `${d.code} ${d.message}`).join('; ')}`);
    const engine = new Engine(new DefinitionRegistry(loaded.resources), { runner });
    if (engine.compileErrors.length) throw new Error(`${name}: ${engine.compileErrors.map((e) => e.message).join('; ')}`);
    const input = { seed: 1 };
    const baseline = promiseGraph(dag, engine.task('bench-step')!, runner);
    const subject = async () => {
      const result = await engine.execute(name, input);
      if (result.status !== 'succeeded') throw new Error(`${name} ${result.status}: ${result.error?.message}`);
      return result.output;
    };

    calls = 0;
    const expected = await baseline(input);
    const baselineCalls = calls;
    calls = 0;
    const actual = await subject();
    if (calls !== size || baselineCalls !== size) throw new Error(`${name}: expected ${size} runner calls each, got engine ${calls}, baseline ${baselineCalls}`);
    if (!isDeepStrictEqual(actual, expected)) throw new Error(`${name}: the engine's output ${JSON.stringify(actual)} differs from the baseline's ${JSON.stringify(expected)}`);

    const iterations = Math.max(1, Math.round(stepsPerBatch / size));
    for (let w = 0; w < warmupBatches; w++) {
      await timePerStep(() => baseline(input), iterations, size);
      await timePerStep(subject, iterations, size);
    }
    const m = await interleave(
      rounds,
      () => timePerStep(() => baseline(input), iterations, size),
      () => timePerStep(subject, iterations, size),
    );
    const engineUs = median(m.subject) / 1000;
    const baselineUs = median(m.baseline) / 1000;
    ctx.log(`engine.overhead ${name}: engine ${engineUs.toFixed(3)} µs/step, promise graph ${baselineUs.toFixed(3)} µs/step (${rounds} rounds × ${iterations} runs)`);
    figures.push(
      figure({ name: `engine.overhead.${name}.step-time`, value: engineUs, unit: 'µs/step', baseline: { name: 'promise-graph', value: baselineUs } }),
      figure({
        name: `engine.overhead.${name}.overhead`,
        value: engineUs - baselineUs,
        unit: 'µs/step',
        ...(size === OVERHEAD_TARGET_SIZE ? { target: { op: '<=', value: OVERHEAD_TARGET_US, of: 'value' } } : {}),
      }),
    );
    await engine.close();
  }
  return figures;
}

const CHECKOUT_INPUT = { userId: '42', sku: 'SKU-003', quantity: 2 };

/** The engine's HTTP server: `weft serve` once `bin/weft.mjs` exists, else the bench's minimal front. */
async function startEngineServer(root: string, apiUrl: string): Promise<{ server: ChildServer; kind: string }> {
  const definitions = join(root, 'fixtures/examples');
  const origin = `http://demo-api=${apiUrl}`;
  if (existsSync(join(root, 'bin/weft.mjs')) && existsSync(join(root, 'engine/server/index.ts'))) {
    const server = await startChildServer('weft serve', [join(root, 'bin/weft.mjs'), 'serve', '--definitions', definitions, '--origin', origin, '--host', '127.0.0.1', '--port', '0'], { cwd: root });
    return { server, kind: 'weft serve' };
  }
  const server = await startChildServer('engine server', ['--import', 'tsx', join(root, 'bench/servers/engine-server.ts'), '--definitions', definitions, '--origin', origin, '--port', '0'], { cwd: root });
  return { server, kind: 'bench/servers/engine-server.ts' };
}

function jsonCheck(pick: (body: any) => unknown, expected: unknown): LoadRequest['check'] {
  return (status, text) => {
    if (status !== 200) return `status ${status}: ${text.slice(0, 300)}`;
    const got = pick(JSON.parse(text));
    return isDeepStrictEqual(got, expected) ? undefined : `output ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`;
  };
}

async function endToEnd(ctx: BenchContext): Promise<Figure[]> {
  const rounds = ctx.quick ? 1 : 5;
  const perRound = ctx.quick ? { 1: 30, 32: 200 } : { 1: 1_000, 32: 5_000 };
  const warmup = ctx.quick ? 50 : 2_000;
  const concurrencies = [1, 32] as const;
  const children: ChildServer[] = [];
  try {
    const api = await startDemoApiChild(ctx.root);
    children.push(api);
    const engine = await startEngineServer(ctx.root, api.url);
    children.push(engine.server);
    const hand = await startChildServer('hand-written', ['--import', 'tsx', join(ctx.root, 'bench/servers/hand-written.ts'), '--api', api.url, '--port', '0'], { cwd: ctx.root });
    children.push(hand);
    ctx.log(`engine.e2e: demo API ${api.url}, engine (${engine.kind}) ${engine.server.url}, hand-written ${hand.url}`);

    const body = JSON.stringify(CHECKOUT_INPUT);
    const handPool = loadPool(hand.url, 32);
    const enginePool = loadPool(engine.server.url, 32);
    const probe = async (pool: typeof handPool, path: string): Promise<any> => {
      const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`POST ${path} answered ${res.statusCode}: ${text.slice(0, 500)}`);
      return JSON.parse(text);
    };
    const expected = await probe(handPool, '/checkout');
    const engineAnswer = await probe(enginePool, '/api/v1/workflows/order-checkout/execute');
    if (!isDeepStrictEqual(engineAnswer.output, expected)) {
      throw new Error(`the engine's output ${JSON.stringify(engineAnswer.output)} differs from the hand-written server's ${JSON.stringify(expected)}`);
    }
    const handRequest: LoadRequest = { method: 'POST', path: '/checkout', body, check: jsonCheck((b) => b, expected) };
    const engineRequest: LoadRequest = { method: 'POST', path: '/api/v1/workflows/order-checkout/execute', body, check: jsonCheck((b) => b.output, expected) };

    await runLoad(handPool, handRequest, 32, warmup);
    await runLoad(enginePool, engineRequest, 32, warmup);
    const results: Record<number, { baseline: LoadResult[]; subject: LoadResult[] }> = {};
    for (const c of concurrencies) results[c] = { baseline: [], subject: [] };
    for (let r = 0; r < rounds; r++) {
      for (const c of concurrencies) {
        const m = await interleave(
          1,
          () => runLoad(handPool, handRequest, c, perRound[c]),
          () => runLoad(enginePool, engineRequest, c, perRound[c]),
          r,
        );
        results[c].baseline.push(...m.baseline);
        results[c].subject.push(...m.subject);
        ctx.log(`engine.e2e round ${r + 1}/${rounds} c=${c}: engine ${m.subject[0].throughput.toFixed(0)} req/s p50 ${m.subject[0].p50Ms.toFixed(3)} ms, hand-written ${m.baseline[0].throughput.toFixed(0)} req/s p50 ${m.baseline[0].p50Ms.toFixed(3)} ms`);
      }
    }
    await Promise.all([handPool.close(), enginePool.close()]);

    const figures: Figure[] = [];
    const hw = (value: number) => ({ name: 'hand-written', value });
    for (const c of concurrencies) {
      const pick = (k: keyof LoadResult) => ({ engine: median(results[c].subject.map((x) => x[k])), hand: median(results[c].baseline.map((x) => x[k])) });
      const tp = pick('throughput');
      const p50 = pick('p50Ms');
      const p99 = pick('p99Ms');
      const prefix = `engine.e2e.c${c}`;
      figures.push(
        figure({ name: `${prefix}.throughput`, value: tp.engine, unit: 'req/s', baseline: hw(tp.hand), ...(c === 32 ? { target: { op: '>=', value: 0.8, of: 'ratio' } } : {}) }),
        figure({ name: `${prefix}.p50`, value: p50.engine, unit: 'ms', baseline: hw(p50.hand) }),
        figure({ name: `${prefix}.p99`, value: p99.engine, unit: 'ms', baseline: hw(p99.hand) }),
      );
      if (c === 1) figures.push(figure({ name: `${prefix}.p50-added`, value: p50.engine - p50.hand, unit: 'ms', target: { op: '<=', value: 0.3, of: 'value' } }));
    }
    return figures;
  } finally {
    await Promise.all(children.map((c) => c.close()));
  }
}

const benches: BenchModule[] = [
  {
    name: 'engine.overhead',
    description: 'Engine.execute per-step overhead on 10/50/200-step DAGs vs a hand-written Promise graph (in-process runner)',
    run: overhead,
  },
  {
    name: 'engine.e2e',
    description: 'Four-call workflow over HTTP vs a hand-written node:http + undici server, concurrency 1 and 32',
    run: endToEnd,
  },
];

export default benches;
