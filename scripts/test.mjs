#!/usr/bin/env node
// `npm test [-- vitest args]`: runs `vitest run` with the repository config, then lists the
// suites that were skipped because a service was missing (written by test/support/services.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const skipLog = process.env.WEFT_TEST_SKIP_LOG || join(root, '.weft', 'test-skips.log');
rmSync(skipLog, { force: true });

const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });

const skipped = existsSync(skipLog) ? [...new Set(readFileSync(skipLog, 'utf8').split('\n').filter(Boolean))] : [];
if (skipped.length) console.log(`\n${skipped.length} suite(s) skipped for a missing service:\n${skipped.map((s) => `  ${s}`).join('\n')}`);
process.exit(run.status ?? 1);
