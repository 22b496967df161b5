/**
 * Issue 2, item 10: the engine's own cost.
 *
 * - `engine.overhead`: per-step overhead of `Engine.execute` on seeded layered DAGs of 10, 50
 *   and 200 steps with an in-process runner that answers at once, against a hand-written
 *   Promise graph making the same runner calls with the same inputs; in wall time (the issue's
 *   figure) and in CPU time of this process (which other processes competing for the CPUs
 *   inflate far less).
 * - `engine.e2e`: the four-call workflow (`order-checkout`: three parallel GETs, one POST built
 *   from two of their outputs) served over HTTP by `weft serve`, against a hand-written
 *   node:http + undici server doing the same calls, both in child processes calling the demo API
 *   (a third child), loaded from this process at concurrency 1 and 32. Besides throughput and
 *   latency it reports the CPU time each server spent per request (Linux), which other load on
 *   the machine disturbs far less.
 */
import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { loadText } from '../engine/load/index.js';
import { DefinitionRegistry } from '../engine/load/registry.js';
import { Engine, type TaskRunner } from '../engine/run/index.js';
import { dagDefinitions, layeredDag, promiseGraph } from './support/dag.js';
import { elapsedNs, figure, interleave, paired, profileArgs, type BenchContext, type BenchModule, type Figure } from './support/figures.js';
import { loadPool, mergeLoads, runLoad, type LoadRequest, type LoadResult } from './support/load.js';
import { processCpuMs, startChildServer, startDemoApiChild, tsNode, type ChildServer } from './support/processes.js';

const DAG_SIZES = [10, 50, 200] as const;
const DAG_SEED = 20_240_601;
const OVERHEAD_TARGET_US = 5;
const OVERHEAD_TARGET_SIZE = 50;

/**
 * Runs `fn` `iterations` times in sequence; returns nanoseconds per step of wall time
 * (`process.hrtime`) and of this process's CPU time (`process.cpuUsage`, which time spent
 * waiting for a CPU held by other processes does not inflate).
 */
async function timePerStep(fn: () => Promise<unknown>, iterations: number, steps: number): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  const wall = elapsedNs(start);
  const used = process.cpuUsage(cpu);
  return { wall: wall / (iterations * steps), cpu: ((used.user + used.system) * 1000) / (iterations * steps) };
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
    const us = (k: 'wall' | 'cpu') => paired({ baseline: m.baseline.map((x) => x[k] / 1000), subject: m.subject.map((x) => x[k] / 1000) });
    const p = us('wall');
    const c = us('cpu');
    ctx.log(`engine.overhead ${name}: engine ${p.value.toFixed(3)} µs/step, promise graph ${p.baseline.toFixed(3)} µs/step; CPU ${c.value.toFixed(3)} vs ${c.baseline.toFixed(3)} µs/step (${rounds} rounds × ${iterations} runs)`);
    figures.push(
      figure({ name: `engine.overhead.${name}.step-time`, value: p.value, unit: 'µs/step', baseline: { name: 'promise-graph', value: p.baseline }, ratio: p.ratio }),
      figure({
        name: `engine.overhead.${name}.overhead`,
        value: p.difference,
        unit: 'µs/step',
        ...(size === OVERHEAD_TARGET_SIZE ? { target: { op: '<=', value: OVERHEAD_TARGET_US, of: 'value' } } : {}),
      }),
      figure({ name: `engine.overhead.${name}.step-cpu`, value: c.value, unit: 'µs/step', baseline: { name: 'promise-graph', value: c.baseline }, ratio: c.ratio }),
      figure({
        name: `engine.overhead.${name}.overhead-cpu`,
        value: c.difference,
        unit: 'µs/step',
        ...(size === OVERHEAD_TARGET_SIZE ? { target: { op: '<=', value: OVERHEAD_TARGET_US, of: 'value' } } : {}),
      }),
    );
    await engine.close();
  }
  return figures;
}

const CHECKOUT_INPUT = { userId: '42', sku: 'SKU-003', quantity: 2 };

/**
 * The engine's HTTP server: `node bin/weft.mjs serve`, or, when the CLI is missing or does not
 * start, `bench/servers/weft-serve.ts` (the same `startServer` from engine/server). The log says
 * which one is measured.
 */
async function startEngineServer(ctx: BenchContext, apiUrl: string): Promise<{ server: ChildServer; kind: string }> {
  const definitions = join(ctx.root, 'fixtures/examples');
  const origin = `http://demo-api=${apiUrl}`;
  if (existsSync(join(ctx.root, 'bin/weft.mjs'))) {
    try {
      const server = await startChildServer('weft serve', [...profileArgs(ctx, 'weft'), join(ctx.root, 'bin/weft.mjs'), 'serve', '--definitions', definitions, '--origin', origin, '--host', '127.0.0.1', '--port', '0', '--no-auth', '--no-history'], { cwd: ctx.root });
      return { server, kind: 'bin/weft.mjs serve' };
    } catch (err) {
      ctx.note(`bin/weft.mjs serve did not start, so bench/servers/weft-serve.ts (startServer) is measured instead: ${(err as Error).message.split('\n').slice(0, 4).join(' | ')}`);
    }
  }
  const server = await startChildServer('weft serve', [...profileArgs(ctx, 'weft'), ...tsNode(ctx.root), join(ctx.root, 'bench/servers/weft-serve.ts'), '--definitions', definitions, '--origin', origin, '--port', '0'], { cwd: ctx.root });
  return { server, kind: 'bench/servers/weft-serve.ts (startServer)' };
}

/**
 * Checks an answer during load: status 200 and the expected order id in the body. The full
 * output was compared once before the load; parsing every body would charge the load generator,
 * which shares the CPUs with the servers, more for the engine's larger answer.
 */
function answerCheck(orderId: string): LoadRequest['check'] {
  const marker = `"orderId":${JSON.stringify(orderId)}`;
  return (status, text) => {
    if (status !== 200) return `status ${status}: ${text.slice(0, 300)}`;
    return text.includes(marker) ? undefined : `no ${marker} in ${text.slice(0, 300)}`;
  };
}

async function endToEnd(ctx: BenchContext): Promise<Figure[]> {
  const rounds = ctx.quick ? 1 : 12;
  // Requests per server per round, sent as two legs in mirrored order (see below).
  const perRound = ctx.quick ? { 1: 30, 32: 200 } : { 1: 400, 32: 2_000 };
  // Long enough for V8 to have optimized both servers' hot functions. The engine has more code
  // than the hand-written server: under `--trace-opt`, functions of its execute route were first
  // optimized only after 2,000 to 10,000 requests at concurrency 32.
  const warmup = ctx.quick ? 50 : 8_000;
  const concurrencies = [1, 32] as const;
  const children: ChildServer[] = [];
  try {
    const api = await startDemoApiChild(ctx.root);
    children.push(api);
    const engine = await startEngineServer(ctx, api.url);
    children.push(engine.server);
    const hand = await startChildServer('hand-written', [...profileArgs(ctx, 'hand-written'), ...tsNode(ctx.root), join(ctx.root, 'bench/servers/hand-written.ts'), '--api', api.url, '--port', '0'], { cwd: ctx.root });
    children.push(hand);
    ctx.log(`engine.e2e: demo API ${api.url}, engine ${engine.server.url}, hand-written ${hand.url}`);
    ctx.note(`engine server measured: ${engine.kind}; response body: the API's execution result with its trace`);

    const body = JSON.stringify(CHECKOUT_INPUT);
    const engineBody = JSON.stringify({ input: CHECKOUT_INPUT });
    const handPool = loadPool(hand.url, 32);
    const enginePool = loadPool(engine.server.url, 32);
    const probe = async (pool: typeof handPool, path: string, body: string): Promise<any> => {
      const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`POST ${path} answered ${res.statusCode}: ${text.slice(0, 500)}`);
      return JSON.parse(text);
    };
    const expected = await probe(handPool, '/checkout', body);
    const engineAnswer = await probe(enginePool, '/api/v1/workflows/order-checkout/execute', engineBody);
    if (!isDeepStrictEqual(engineAnswer.output, expected)) {
      throw new Error(`the engine's output ${JSON.stringify(engineAnswer.output)} differs from the hand-written server's ${JSON.stringify(expected)}`);
    }
    const check = answerCheck(expected.orderId);
    const handRequest: LoadRequest = { method: 'POST', path: '/checkout', body, check };
    const engineRequest: LoadRequest = { method: 'POST', path: '/api/v1/workflows/order-checkout/execute', body: engineBody, check };
    // CPU the two servers spend, summed over the measured runs (the demo API's is the same for both).
    const cpu = { baseline: new Map<number, number>(), subject: new Map<number, number>() };
    const counted = (pid: number, into: Map<number, number>, c: number, load: () => Promise<LoadResult>) => async () => {
      const before = processCpuMs(pid);
      const r = await load();
      const after = processCpuMs(pid);
      if (before !== undefined && after !== undefined) into.set(c, (into.get(c) ?? 0) + after - before);
      return r;
    };

    await runLoad(handPool, handRequest, 32, warmup);
    await runLoad(enginePool, engineRequest, 32, warmup);
    const results: Record<number, { baseline: LoadResult[]; subject: LoadResult[] }> = {};
    for (const c of concurrencies) results[c] = { baseline: [], subject: [] };
    for (let r = 0; r < rounds; r++) {
      for (const c of concurrencies) {
        // Each round measures each server twice, mirrored (hand-written, engine, engine,
        // hand-written; the next round engine first): the machine's speed drifts within seconds
        // here, and with one leg each a drift would be charged to whichever server ran second.
        const leg = Math.max(1, Math.round(perRound[c] / 2));
        // interleave flips the order every leg and starts with the baseline on an even number.
        const engineFirst = r % 2;
        const m = await interleave(
          2,
          counted(hand.pid, cpu.baseline, c, () => runLoad(handPool, handRequest, c, leg)),
          counted(engine.server.pid, cpu.subject, c, () => runLoad(enginePool, engineRequest, c, leg)),
          2 * r + engineFirst,
        );
        const baseline = mergeLoads(m.baseline);
        const subject = mergeLoads(m.subject);
        results[c].baseline.push(baseline);
        results[c].subject.push(subject);
        ctx.log(`engine.e2e round ${r + 1}/${rounds} c=${c}: engine ${subject.throughput.toFixed(0)} req/s p50 ${subject.p50Ms.toFixed(3)} ms, hand-written ${baseline.throughput.toFixed(0)} req/s p50 ${baseline.p50Ms.toFixed(3)} ms`);
      }
    }
    await Promise.all([handPool.close(), enginePool.close()]);

    const figures: Figure[] = [];
    const hw = (value: number) => ({ name: 'hand-written', value });
    for (const c of concurrencies) {
      const pick = (k: 'throughput' | 'p50Ms' | 'p99Ms') => paired({ subject: results[c].subject.map((x) => x[k]), baseline: results[c].baseline.map((x) => x[k]) });
      const tp = pick('throughput');
      const p50 = pick('p50Ms');
      const p99 = pick('p99Ms');
      const prefix = `engine.e2e.c${c}`;
      figures.push(
        figure({ name: `${prefix}.throughput`, value: tp.value, unit: 'req/s', baseline: hw(tp.baseline), ratio: tp.ratio, ...(c === 32 ? { target: { op: '>=', value: 0.8, of: 'ratio' } } : {}) }),
        figure({ name: `${prefix}.p50`, value: p50.value, unit: 'ms', baseline: hw(p50.baseline), ratio: p50.ratio }),
        figure({ name: `${prefix}.p99`, value: p99.value, unit: 'ms', baseline: hw(p99.baseline), ratio: p99.ratio }),
      );
      const cpuEngine = cpu.subject.get(c);
      const cpuHand = cpu.baseline.get(c);
      if (cpuEngine !== undefined && cpuHand !== undefined && cpuHand > 0) {
        const requests = results[c].subject.reduce((n, x) => n + x.requests, 0);
        figures.push(figure({ name: `${prefix}.cpu-per-request`, value: cpuEngine / requests, unit: 'ms', baseline: hw(cpuHand / requests) }));
      }
      if (c === 1) figures.push(figure({ name: `${prefix}.p50-added`, value: p50.difference, unit: 'ms', target: { op: '<=', value: 0.3, of: 'value' } }));
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
