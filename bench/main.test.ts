import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from './main.js';

const run = promisify(execFile);
const root = resolve(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'weft-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', './bin/ts-hooks.mjs', 'bench/main.ts', ...args], { cwd: root, timeout: 120_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('npm run bench', () => {
  it('writes every engine figure with its baseline, ratio, target and machine info to the --json file', async () => {
    const file = join(dir, 'nested', 'figures.json');
    const r = await bench(['--quick', '--only', 'engine', '--json', file]);
    expect(r.stderr).not.toMatch(/failed:/);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;

    expect(report.errors).toEqual([]);
    expect(report.notes).toContainEqual({ bench: 'engine.e2e', message: expect.stringMatching(/^engine server measured: /) });
    expect(report.options).toEqual({ quick: true, only: ['engine'] });
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    expect(Number.isNaN(Date.parse(report.machine.date))).toBe(false);

    const names = report.figures.map((f) => f.name);
    for (const size of [10, 50, 200]) {
      for (const figure of ['step-time', 'overhead', 'step-cpu', 'overhead-cpu']) expect(names).toContain(`engine.overhead.dag-${size}.${figure}`);
    }
    for (const c of [1, 32]) expect(names).toEqual(expect.arrayContaining([`engine.e2e.c${c}.throughput`, `engine.e2e.c${c}.p50`, `engine.e2e.c${c}.p99`]));
    expect(names).toContain('engine.e2e.c1.p50-added');

    for (const f of report.figures) {
      expect(typeof f.bench).toBe('string');
      expect(Number.isFinite(f.value)).toBe(true);
      expect(f.unit).toMatch(/\S/);
      if (f.baseline) {
        expect(f.baseline.name).toMatch(/\S/);
        expect(f.baseline.value).toBeGreaterThan(0);
        expect(f.ratio).toBeGreaterThan(0);
      }
      if (f.target) {
        expect(['<=', '>=']).toContain(f.target.op);
        expect(['value', 'ratio']).toContain(f.target.of);
        expect(typeof f.pass).toBe('boolean');
      } else expect(f.pass).toBeUndefined();
    }
    const byName = new Map(report.figures.map((f) => [f.name, f]));
    expect(byName.get('engine.overhead.dag-50.overhead')!.target).toEqual({ op: '<=', value: 5, of: 'value' });
    expect(byName.get('engine.overhead.dag-50.overhead-cpu')!.target).toEqual({ op: '<=', value: 5, of: 'value' });
    expect(byName.get('engine.e2e.c32.throughput')!.target).toEqual({ op: '>=', value: 0.8, of: 'ratio' });
    expect(byName.get('engine.e2e.c1.p50-added')!.target).toEqual({ op: '<=', value: 0.3, of: 'value' });

    expect(r.stdout).toMatch(/^name\s+value\s+unit\s+baseline\s+ratio\s+target\s+pass$/m);
    expect(r.stdout).toMatch(/^engine\.e2e\.c32\.throughput\s/m);
  }, 120_000);

  it('exits 2 and lists the known benchmarks when --only matches none', async () => {
    const r = await bench(['--quick', '--only', 'no-such-bench']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no benchmark matches --only no-such-bench; known: .*engine\.overhead/);
  }, 60_000);

  it('exits 2 with the usage for an unknown flag', async () => {
    const r = await bench(['--fast']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--fast'");
    expect(r.stderr).toContain('usage: npm run bench');
  }, 60_000);
});
