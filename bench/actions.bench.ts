/**
 * Issue 5: the pull-request checks at scale.
 *
 * - `actions.validate`: validate 1,000 workflows and 500 tasks (one file each) as one registry
 *   with `validatePaths`, against only loading them (read, YAML parse, registry) in the same
 *   run; and the validate action bundle run as the runner runs it (`node dist/validate/index.js`).
 * - `actions.diff`: diff 1,000 changed files (500 tasks and 500 of 1,000 workflows changed) of
 *   a Git repository between two commits with `diffGitRefs`, against only reading both trees
 *   from Git (`loadGitTree` twice); and the diff action bundle with the comment off.
 * Targets (issue 5): validate under 3 s, diff under 5 s, for the engine call and for the action.
 * Each is reported as wall time and as CPU time (user + system of the measuring process), since
 * other load on the machine stretches wall time far more than CPU time; the load average is logged.
 * CPU time of an in-process call includes garbage collection and the `git` children's wait, not
 * the `git` children's own CPU.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { diffGitRefs, loadGitTree } from '../engine/diff/index.js';
import { loadRegistry } from '../engine/load/index.js';
import { validatePaths } from '../engine/validate/index.js';
import { actionsWorkload } from './actions-workload.js';
import { elapsedNs, figure, interleave, paired, type BenchContext, type BenchModule, type Figure } from './support/figures.js';

const TASKS = 500;
const WORKFLOWS = 1_000;
const VALIDATE_TARGET_MS = 3_000;
const DIFF_TARGET_MS = 5_000;

function writeTree(dir: string, files: Map<string, string>): void {
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** Wall and CPU time (user + system, this process) of one call, in ms. */
interface Timing {
  wall: number;
  cpu: number;
}

async function time(fn: () => Promise<unknown>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: elapsedNs(start) / 1e6, cpu: (used.user + used.system) / 1000 };
}

/** Preloaded into a bundle's process: prints its own CPU time on exit. */
const CPU_PROBE = 'data:text/javascript,process.on("exit",()=>process.stderr.write("\\n__weft_cpu__"+JSON.stringify(process.cpuUsage())+"\\n"))';

/** Runs an action bundle as the runner does (INPUT_* variables); wall and CPU time in ms; throws on a non-zero exit. */
function runBundle(root: string, bundle: string, cwd: string, inputs: Record<string, string>): Promise<Timing> {
  const start = process.hrtime.bigint();
  const vars: Record<string, string> = { PATH: process.env.PATH ?? '', GITHUB_WORKSPACE: cwd };
  for (const [k, v] of Object.entries(inputs)) vars[`INPUT_${k.toUpperCase()}`] = v;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', CPU_PROBE, join(root, bundle)], { cwd, env: vars, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const wall = elapsedNs(start) / 1e6;
      if (err) return reject(new Error(`${bundle} failed: ${err.message}\n${stdout.slice(-2000)}`));
      const probe = /__weft_cpu__(\{.*\})/.exec(stderr);
      const used = probe ? (JSON.parse(probe[1]) as { user: number; system: number }) : { user: NaN, system: NaN };
      resolve({ wall, cpu: (used.user + used.system) / 1000 });
    });
  });
}

/** The wall-time figure and the CPU-time figure of a subject against its baseline; the target applies to both. */
function figures(name: string, m: { baseline: Timing[]; subject: Timing[] }, baselineName: string, target: number): Figure[] {
  const wall = paired({ baseline: m.baseline.map((t) => t.wall), subject: m.subject.map((t) => t.wall) });
  const cpu = paired({ baseline: m.baseline.map((t) => t.cpu), subject: m.subject.map((t) => t.cpu) });
  return [
    figure({ name: `${name}.wall`, value: wall.value, unit: 'ms', baseline: { name: baselineName, value: wall.baseline }, target: { op: '<=', value: target, of: 'value' } }),
    figure({ name: `${name}.cpu`, value: cpu.value, unit: 'ms', baseline: { name: baselineName, value: cpu.baseline }, target: { op: '<=', value: target, of: 'value' } }),
  ];
}

function loadNote(): string {
  return `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`;
}

const validate: BenchModule = {
  name: 'actions.validate',
  description: `validate ${WORKFLOWS} workflows and ${TASKS} tasks as one registry`,
  async run(ctx: BenchContext): Promise<Figure[]> {
    const dir = mkdtempSync(join(tmpdir(), 'weft-bench-validate-'));
    try {
      writeTree(dir, actionsWorkload({ tasks: TASKS, workflows: WORKFLOWS }));
      const paths = [join(dir, 'definitions')];
      let errors = 0;
      const rounds = ctx.quick ? 1 : 5;
      ctx.log(`actions.validate: ${loadNote()}`);
      const engine = await interleave(
        rounds,
        () => time(() => loadRegistry(paths, { cwd: dir })),
        () =>
          time(async () => {
            const r = await validatePaths(paths, { cwd: dir });
            errors = r.diagnostics.filter((d) => d.severity === 'error').length;
          }),
      );
      if (errors) throw new Error(`the benchmark tree has ${errors} validation errors`);
      const action = await interleave(
        ctx.quick ? 1 : 3,
        () => time(() => validatePaths(paths, { cwd: dir })),
        () => runBundle(ctx.root, 'dist/validate/index.js', dir, { paths: 'definitions' }),
      );
      ctx.log(`actions.validate: done, ${loadNote()}`);
      return [
        ...figures('actions.validate.engine', engine, 'load only (read, YAML, registry)', VALIDATE_TARGET_MS),
        ...figures('actions.validate.action', action, 'validatePaths in-process', VALIDATE_TARGET_MS),
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const diff: BenchModule = {
  name: 'actions.diff',
  description: `diff ${TASKS + WORKFLOWS / 2} changed files between two commits`,
  async run(ctx: BenchContext): Promise<Figure[]> {
    const repo = mkdtempSync(join(tmpdir(), 'weft-bench-diff-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim();
    try {
      git('init', '-q', '-b', 'main');
      git('config', 'user.email', 'bench@example.com');
      git('config', 'user.name', 'bench');
      writeTree(repo, actionsWorkload({ tasks: TASKS, workflows: WORKFLOWS }));
      git('add', '-A');
      git('commit', '-q', '-m', 'base');
      const base = git('rev-parse', 'HEAD');
      writeTree(repo, actionsWorkload({ tasks: TASKS, workflows: WORKFLOWS, variant: 'head', changedWorkflows: WORKFLOWS / 2 }));
      git('add', '-A');
      git('commit', '-q', '-m', 'head');
      const head = git('rev-parse', 'HEAD');
      const changedFiles = git('diff', '--name-only', base, head).split('\n').filter(Boolean).length;
      if (changedFiles !== TASKS + WORKFLOWS / 2) throw new Error(`expected ${TASKS + WORKFLOWS / 2} changed files, git says ${changedFiles}`);

      let changed = 0;
      ctx.log(`actions.diff: ${loadNote()}`);
      const engine = await interleave(
        ctx.quick ? 1 : 5,
        () => time(() => Promise.all([loadGitTree(repo, base), loadGitTree(repo, head)])),
        () =>
          time(async () => {
            const { report } = await diffGitRefs(repo, base, head);
            changed = report.summary.changed;
          }),
      );
      if (changed !== changedFiles) throw new Error(`the diff found ${changed} changed resources, not ${changedFiles}`);
      const action = await interleave(
        ctx.quick ? 1 : 3,
        () => time(() => diffGitRefs(repo, base, head)),
        () => runBundle(ctx.root, 'dist/diff/index.js', repo, { base, head, comment: 'false' }),
      );
      ctx.log(`actions.diff: done, ${loadNote()}`);
      return [
        ...figures('actions.diff.engine', engine, 'read and parse both trees separately', DIFF_TARGET_MS),
        ...figures('actions.diff.action', action, 'diffGitRefs in-process', DIFF_TARGET_MS),
      ];
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  },
};

export default [validate, diff] satisfies BenchModule[];
