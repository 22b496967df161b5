import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { portAnswers } from './services.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'weft-skips-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm test` on the fixture suite, with its own skip log. */
function npmTestOnFixture(ci: boolean) {
  const skipLog = join(dir, `skips-${ci}.log`);
  const env: NodeJS.ProcessEnv = { ...process.env, WEFT_TEST_SKIP_LOG: skipLog, CI: ci ? 'true' : '' };
  const run = spawnSync(process.execPath, ['scripts/test.mjs', '--config', 'test/support/testdata/services/vitest.config.ts'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}`, skipLog };
}

describe('portAnswers', () => {
  it('is true for a listening port and false once it is closed', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    expect(await portAnswers(port)).toBe(true);
    await new Promise<void>((r) => server.close(() => r()));
    expect(await portAnswers(port)).toBe(false);
  });
});

describe('describeWithService', () => {
  it('skips a suite whose service is down, says why, and npm test lists it at the end', { timeout: 60_000 }, () => {
    const run = npmTestOnFixture(false);
    expect(run.status).toBe(0);
    expect(run.output).toContain('skipped: Fake broker suite — no Redis at 127.0.0.1:6379');
    expect(run.output).toMatch(/1 suite\(s\) skipped for a missing service:\n {2}skipped: Fake broker suite — no Redis at 127\.0\.0\.1:6379/);
    expect(readFileSync(run.skipLog, 'utf8')).toBe('skipped: Fake broker suite — no Redis at 127.0.0.1:6379\n');
  });

  it('fails the suite under CI=true when its service is down', { timeout: 60_000 }, () => {
    const run = npmTestOnFixture(true);
    expect(run.status).toBe(1);
    expect(run.output).toContain('Fake broker suite needs Redis at 127.0.0.1:6379, and CI=true');
  });
});
