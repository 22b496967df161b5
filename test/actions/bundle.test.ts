import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations.
import { ACTION_BUNDLES, buildActionsFromHead } from '../../scripts/build-actions.mjs';
import { ROOT } from './support.js';

const out = mkdtempSync(join(tmpdir(), 'weft-bundles-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * The committed bundles against a fresh build of the committed sources: both sides come from the
 * HEAD commit, so other work in progress in the tree does not count.
 */
describe('committed action bundles', () => {
  const bundles = Object.values(ACTION_BUNDLES as Record<string, string>);

  it('builds one bundle per action', () => {
    expect(bundles).toEqual(['validate/index.js', 'diff/index.js', 'main/index.js']);
  });

  it('dist/ in HEAD matches a fresh build of HEAD byte for byte (run `npm run build:actions -- --committed` and commit dist/ when this fails)', async () => {
    await buildActionsFromHead(out);
    for (const file of bundles) {
      const fresh = readFileSync(join(out, file));
      const committed = execFileSync('git', ['show', `HEAD:dist/${file}`], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
      expect({ file, same: fresh.equals(committed) }).toEqual({ file, same: true });
    }
  }, 60_000);
});
