/**
 * `npm run bench [-- --only SUBSTRING] [--quick] [--json FILE] [--check] [--profile DIR]`
 *
 * Runs every benchmark module `bench/*.bench.ts` in file-name order (modules of one file in
 * their array order), prints one table of figures and, with `--json FILE`, writes them as JSON
 * with the machine they ran on.
 *
 * Adding a benchmark: create `bench/<room>.bench.ts` (e.g. `actions.bench.ts`,
 * `controller.bench.ts`, `store.bench.ts`, `flow.bench.ts`) whose default export is a
 * `BenchModule` or an array of them:
 *
 * ```ts
 * import { figure, interleave, median, type BenchModule } from './support/figures.js';
 * export default {
 *   name: 'store.history',            // `--only store` selects it (substring of the name)
 *   description: 'four-call workflow with history on vs off',
 *   async run(ctx) {                  // ctx.quick: a few iterations only; ctx.root; ctx.log(); ctx.note()
 *     const m = await interleave(ctx.quick ? 1 : 5, measureOff, measureOn);  // baseline, subject
 *     return [figure({ name: 'store.history.sqlite.throughput', value: median(m.subject), unit: 'req/s',
 *       baseline: { name: 'history off', value: median(m.baseline) }, target: { op: '>=', value: 0.7, of: 'ratio' } })];
 *   },
 * } satisfies BenchModule;
 * ```
 *
 * Rules for figures: measure the baseline in the same run, interleaved with the subject over
 * several rounds, and report medians; `figure()` computes the ratio (value / baseline) and
 * whether the target holds (`of: 'ratio'` or `of: 'value'`). Loops are bounded (request or
 * iteration counts), servers listen on 127.0.0.1 only, and child processes are started with
 * `support/processes.ts` so they are stopped even when a run is interrupted. Shared helpers:
 * `support/load.ts` (closed-loop HTTP load, p50/p99), `support/processes.ts` (child servers,
 * the demo API), `support/dag.ts` (seeded DAG workflows), `servers/` (the engine front and the
 * hand-written baseline of the four-call workflow).
 *
 * Profiling: `--profile DIR` makes the measured servers (child processes) write V8 CPU profiles
 * under DIR; for in-process benchmarks run
 * `node --cpu-prof --cpu-prof-dir=DIR --import ./bin/ts-hooks.mjs bench/main.ts --only engine.overhead`. Then
 * `node scripts/bench-profile.mjs DIR/…/*.cpuprofile` lists the hot functions as file:line.
 *
 * Exit code: 0 when every benchmark ran (and, with `--check`, every target held), 1 when a
 * benchmark failed (or a target was missed under `--check`), 2 for a usage error.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchContext, BenchModule, Figure } from './support/figures.js';
import { formatTable } from './support/table.js';

const USAGE = 'usage: npm run bench -- [--only SUBSTRING]... [--quick] [--json FILE] [--check] [--profile DIR]';

interface Options {
  only: string[];
  quick: boolean;
  json?: string;
  check: boolean;
  profile?: string;
}

/** The JSON file `--json` writes. */
export interface BenchReport {
  machine: { cpus: number; cpuModel: string; node: string; platform: string; arch: string; totalMemoryMb: number; date: string };
  options: { quick: boolean; only: string[] };
  figures: Array<Figure & { bench: string }>;
  /** What the benchmarks noted about how they measured (`ctx.note`). */
  notes: Array<{ bench: string; message: string }>;
  errors: Array<{ bench: string; message: string }>;
}

function parseOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      only: { type: 'string', multiple: true, default: [] },
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      check: { type: 'boolean', default: false },
      profile: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (positionals.length) throw new Error(`unexpected argument '${positionals[0]}'`);
  return { only: values.only, quick: values.quick, json: values.json, check: values.check, profile: values.profile === undefined ? undefined : resolve(values.profile) };
}

function isBenchModule(m: unknown): m is BenchModule {
  const b = m as BenchModule;
  return !!b && typeof b === 'object' && typeof b.name === 'string' && b.name.length > 0 && typeof b.run === 'function';
}

/** Imports every `*.bench.ts` of `dir` in file-name order and returns their modules. */
async function discover(dir: string): Promise<Array<BenchModule & { file: string }>> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
  const out: Array<BenchModule & { file: string }> = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const exported = (await import(pathToFileURL(join(dir, file)).href)).default as unknown;
    const list = Array.isArray(exported) ? exported : [exported];
    for (const m of list) {
      if (!isBenchModule(m)) throw new Error(`bench/${file}: the default export must be { name, description, run(ctx) } or an array of them`);
      const other = seen.get(m.name);
      if (other) throw new Error(`bench/${file}: benchmark name '${m.name}' is already used by bench/${other}`);
      seen.set(m.name, file);
      out.push({ ...m, file });
    }
  }
  return out;
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const benchDir = dirname(fileURLToPath(import.meta.url));
  const root = resolve(benchDir, '..');
  const all = await discover(benchDir);
  const selected = options.only.length ? all.filter((m) => options.only.some((s) => m.name.includes(s))) : all;
  if (selected.length === 0) {
    console.error(`no benchmark matches --only ${options.only.join(', ')}; known: ${all.map((m) => m.name).join(', ')}`);
    return 2;
  }
  let current = '';
  const log = (message: string) => console.error(message);
  const report: BenchReport = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      totalMemoryMb: Math.round(totalmem() / 2 ** 20),
      date: new Date().toISOString(),
    },
    options: { quick: options.quick, only: options.only },
    figures: [],
    notes: [],
    errors: [],
  };
  const ctx: BenchContext = {
    quick: options.quick,
    root,
    profileDir: options.profile,
    log,
    note: (message) => {
      report.notes.push({ bench: current, message });
      log(`note: ${message}`);
    },
  };
  for (const m of selected) {
    current = m.name;
    ctx.log(`▶ ${m.name}: ${m.description}${options.quick ? ' (quick)' : ''}`);
    const started = performance.now();
    try {
      const figures = await m.run(ctx);
      for (const f of figures) report.figures.push({ bench: m.name, ...f });
      ctx.log(`✓ ${m.name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      report.errors.push({ bench: m.name, message });
      ctx.log(`✗ ${m.name} failed: ${message}`);
    }
  }
  console.log(formatTable(report.figures));
  const targets = report.figures.filter((f) => f.target);
  const missed = targets.filter((f) => !f.pass);
  console.log(`\n${report.figures.length} figures on ${report.machine.cpus} CPUs, node ${report.machine.node}${options.quick ? ' (quick run: timings are not meaningful)' : ''}; targets met ${targets.length - missed.length}/${targets.length}${missed.length ? `; missed: ${missed.map((f) => f.name).join(', ')}` : ''}`);
  for (const n of report.notes) console.log(`note (${n.bench}): ${n.message}`);
  for (const e of report.errors) console.log(`FAILED ${e.bench}: ${e.message}`);
  if (options.json) {
    const file = resolve(options.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`figures written to ${file}`);
  }
  if (report.errors.length) return 1;
  return options.check && missed.length ? 1 : 0;
}

process.exit(await main());
