/** A bound a figure must meet: `value <= 5` or `ratio >= 0.8`. `of` says which number is compared. */
export interface Target {
  op: '<=' | '>=';
  value: number;
  of: 'value' | 'ratio';
}

/** One measured number, as printed in the table and written to the JSON file. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The same quantity measured for the baseline in the same run. */
  baseline?: { name: string; value: number };
  /**
   * `value / baseline.value`, or, for interleaved measurements, the median of the per-round
   * ratios (each round's subject over the baseline run next to it), which noise from other
   * processes disturbs less than the ratio of the medians.
   */
  ratio?: number;
  target?: Target;
  /** Whether the target was met; absent when there is no target. */
  pass?: boolean;
}

/** What the runner hands to every benchmark. */
export interface BenchContext {
  /** A short smoke run: few rounds and iterations; timings are not meaningful. */
  quick: boolean;
  /** The repository root (absolute). */
  root: string;
  /** Progress line on stderr (the table goes to stdout). */
  log(message: string): void;
  /**
   * `--profile DIR`: benchmarks that measure servers in child processes start them with
   * `--cpu-prof --cpu-prof-dir=DIR/<server>` (see `profileArgs`).
   */
  profileDir?: string;
  /** A fact the figures depend on (e.g. which server was measured): printed and kept in the JSON `notes`. */
  note(message: string): void;
}

/** What a `bench/*.bench.ts` module exports by default (one, or several in an array). */
export interface BenchModule {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

export interface FigureInput {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** Defaults to `value / baseline.value`; `paired()` gives the median of per-round ratios. */
  ratio?: number;
  target?: Target;
}

/**
 * Builds a figure: the ratio against the baseline and whether the target is met.
 * @example figure({ name: 'x.throughput', value: 900, unit: 'req/s', baseline: { name: 'hand-written', value: 1000 }, target: { op: '>=', value: 0.8, of: 'ratio' } })
 */
export function figure(input: FigureInput): Figure {
  const out: Figure = { name: input.name, value: input.value, unit: input.unit };
  if (input.baseline) {
    out.baseline = input.baseline;
    if (input.ratio !== undefined) out.ratio = input.ratio;
    else if (input.baseline.value !== 0) out.ratio = input.value / input.baseline.value;
  }
  if (input.target) {
    out.target = input.target;
    out.pass = meets(input.target.of === 'ratio' ? out.ratio : out.value, input.target);
  }
  return out;
}

function meets(x: number | undefined, target: Target): boolean {
  if (x === undefined || !Number.isFinite(x)) return false;
  return target.op === '<=' ? x <= target.value : x >= target.value;
}

/** The median of a non-empty list. */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/**
 * The p-th percentile (nearest rank) of a non-empty list.
 * @example percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) throw new Error('percentile of an empty list');
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * Runs a subject and its baseline alternately for `rounds` rounds (the order flips every round,
 * so drift and warm caches hit both alike) and returns every round's measurement of each.
 * Round r runs the baseline first when `r + firstRound` is even; callers that interleave one
 * round at a time pass their round number as `firstRound`.
 */
export async function interleave<T>(rounds: number, baseline: () => Promise<T>, subject: () => Promise<T>, firstRound = 0): Promise<{ baseline: T[]; subject: T[] }> {
  const out = { baseline: [] as T[], subject: [] as T[] };
  for (let r = 0; r < rounds; r++) {
    if ((r + firstRound) % 2 === 0) {
      out.baseline.push(await baseline());
      out.subject.push(await subject());
    } else {
      out.subject.push(await subject());
      out.baseline.push(await baseline());
    }
  }
  return out;
}

/**
 * Summarises interleaved rounds: the medians of subject and baseline, the median of the
 * per-round ratios `subject[i] / baseline[i]` and the median of the per-round differences
 * `subject[i] - baseline[i]`.
 * @example const p = paired({ baseline: [10, 12, 11], subject: [12, 15, 12] }); // p.ratio ≈ 1.2
 */
export function paired(m: { baseline: readonly number[]; subject: readonly number[] }): { value: number; baseline: number; ratio: number; difference: number } {
  if (m.baseline.length !== m.subject.length || m.subject.length === 0) throw new Error('paired needs the same non-zero number of subject and baseline rounds');
  return {
    value: median(m.subject),
    baseline: median(m.baseline),
    ratio: median(m.subject.map((s, i) => s / m.baseline[i])),
    difference: median(m.subject.map((s, i) => s - m.baseline[i])),
  };
}

/** Node flags that make a measured child process write a CPU profile under `ctx.profileDir`. */
export function profileArgs(ctx: BenchContext, server: string): string[] {
  return ctx.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}/${server}`] : [];
}

/** Nanoseconds elapsed since `start` (a `process.hrtime.bigint()` reading), as a number. */
export function elapsedNs(start: bigint): number {
  return Number(process.hrtime.bigint() - start);
}
