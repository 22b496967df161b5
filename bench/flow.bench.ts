/**
 * Issue 3: a forEach over 10,000 items with maxParallel 50 against the demo API (a child process).
 *
 * - `flow.foreach.throughput`: items per second of the engine (in this process) beside a
 *   hand-written loop making the same GETs with the same concurrency, interleaved over rounds;
 *   target: at least 80% of the loop.
 * - `flow.foreach.peak-rss`: the peak RSS of an engine process (a child running only the engine
 *   and the workload, three runs of 10,000 items); target: under 300 MB.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { baselineAgent, flowEngine, flowItems, handLoop, runEngineOnce } from './flow-workload.js';
import { figure, interleave, paired, type BenchContext, type BenchModule, type Figure } from './support/figures.js';
import { startDemoApiChild, tsNode } from './support/processes.js';

const ITEMS = 10_000;
const RSS_TARGET_MB = 300;
const RATIO_TARGET = 0.8;

async function foreach(ctx: BenchContext): Promise<Figure[]> {
  const items = ctx.quick ? 1_000 : ITEMS;
  const rounds = ctx.quick ? 2 : 8;
  const api = await startDemoApiChild(ctx.root);
  const engine = flowEngine(api.url);
  const agent = baselineAgent();
  try {
    const ids = flowItems(items);
    // Same calls, same answers: the loop's outputs are what the engine's forEach collects.
    const expected = await handLoop(agent, api.url, ids.slice(0, 100));
    const { outputs } = await runEngineOnce(engine, ids.slice(0, 100));
    if (!isDeepStrictEqual(outputs, expected)) throw new Error("the engine's forEach outputs differ from the hand-written loop's");

    const perSecond = async (fn: () => Promise<unknown>) => {
      const start = performance.now();
      await fn();
      return items / ((performance.now() - start) / 1000);
    };
    // Warm both up (JIT, connection pools) before measuring: the first runs are much slower.
    for (let w = 0; w < (ctx.quick ? 1 : 3); w++) {
      await perSecond(() => handLoop(agent, api.url, ids));
      await perSecond(() => runEngineOnce(engine, ids));
    }
    const m = await interleave(
      rounds,
      () => perSecond(() => handLoop(agent, api.url, ids)),
      () => perSecond(() => runEngineOnce(engine, ids)),
    );
    const p = paired(m);
    ctx.log(`flow.foreach: engine ${p.value.toFixed(0)} items/s, hand-written loop ${p.baseline.toFixed(0)} items/s (${rounds} rounds × ${items} items, maxParallel 50)`);

    const rss = await childRss(ctx, api.url, items);
    ctx.log(`flow.foreach: engine process peak RSS ${rss.maxRssMb.toFixed(1)} MB over 3 runs of ${items} items (${rss.traceItems} item traces per run)`);
    return [
      figure({
        name: 'flow.foreach.throughput',
        value: p.value,
        unit: 'items/s',
        baseline: { name: 'hand-written loop', value: p.baseline },
        ratio: p.ratio,
        target: { op: '>=', value: RATIO_TARGET, of: 'ratio' },
      }),
      figure({ name: 'flow.foreach.peak-rss', value: rss.maxRssMb, unit: 'MB', target: { op: '<=', value: RSS_TARGET_MB, of: 'value' } }),
    ];
  } finally {
    await engine.close();
    await agent.close();
    await api.close();
  }
}

/** Runs the workload in a child process holding only the engine and reports its peak RSS. */
async function childRss(ctx: BenchContext, apiUrl: string, items: number): Promise<{ maxRssMb: number; traceItems: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, [...tsNode(ctx.root), join(ctx.root, 'bench/flow-workload.ts'), '--api', apiUrl, '--items', String(items), '--rounds', '3'], {
    cwd: ctx.root,
    timeout: 300_000,
    maxBuffer: 1 << 20,
  });
  const report = JSON.parse(stdout.trim().split('\n').pop()!) as { maxRssMb: number; traceItems: number };
  if (report.traceItems !== items) throw new Error(`the engine child traced ${report.traceItems} of ${items} items`);
  return report;
}

export default {
  name: 'flow.foreach',
  description: 'forEach over 10,000 items (maxParallel 50) against the demo API vs a hand-written loop; engine peak RSS',
  run: foreach,
} satisfies BenchModule;
