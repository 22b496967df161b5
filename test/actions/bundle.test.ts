import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations.
import { ACTION_BUNDLES, buildActions } from '../../scripts/build-actions.mjs';
import { ROOT } from './support.js';

const out = mkdtempSync(join(tmpdir(), 'weft-bundles-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('committed action bundles', () => {
  const bundles = Object.values(ACTION_BUNDLES as Record<string, string>);

  it('builds one bundle per action', () => {
    expect(bundles).toEqual(['validate/index.js', 'diff/index.js', 'main/index.js']);
  });

  it('dist/ matches a fresh build byte for byte (run `npm run build:actions` and commit dist/ when this fails)', async () => {
    await buildActions(out);
    for (const file of bundles) {
      const fresh = readFileSync(join(out, file));
      const committed = readFileSync(join(ROOT, 'dist', file));
      expect({ file, same: fresh.equals(committed) }).toEqual({ file, same: true });
    }
  }, 60_000);
});
