import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'weft-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/bench-profile.mjs', () => {
  it('names the hot function of a file run with the module hooks, with its source line', async () => {
    await run(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', './bin/ts-hooks.mjs', 'bench/support/testdata/busy.ts'], { cwd: root, timeout: 60_000 });
    const profile = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
    const { stdout } = await run(process.execPath, ['scripts/bench-profile.mjs', join(dir, profile), '--top', '5'], { cwd: root, timeout: 60_000 });
    expect(stdout).toMatch(/^\s*\d+\.\d%\s+spin bench\/support\/testdata\/busy\.ts:6$/m);
  }, 60_000);

  it('exits 2 with the usage when no profile is given', async () => {
    const r = await run(process.execPath, ['scripts/bench-profile.mjs'], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
    expect(r).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: node scripts/bench-profile.mjs') });
  });
});
