import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../load/index.js';
import { diffTrees } from './tree.js';

/**
 * Each folder under testdata/ is one case: `base/` and `head/` definition trees and the
 * `expected.json` report. Adding a case is adding a folder. `UPDATE_DIFF_EXPECTED=1` rewrites
 * the expected files (review them before committing).
 */
const root = join(import.meta.dirname, 'testdata');
const cases = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

async function reportFor(name: string) {
  const dir = join(root, name);
  const base = await loadRegistry([join(dir, 'base')], { cwd: join(dir, 'base') });
  const head = await loadRegistry([join(dir, 'head')], { cwd: join(dir, 'head') });
  expect(base.diagnostics).toEqual([]);
  expect(head.diagnostics).toEqual([]);
  return diffTrees(base.registry, head.registry);
}

describe('diffTrees on testdata cases', () => {
  it('has the six cases the diff must cover', () => {
    expect(cases).toEqual(expect.arrayContaining(['step-added', 'step-removed', 'dependency-rewired', 'output-field-removed-used', 'output-field-removed-unused', 'workflow-renamed']));
  });

  for (const name of cases) {
    it(`${name}: gives the expected report`, async () => {
      const report = JSON.parse(JSON.stringify(await reportFor(name)));
      const file = join(root, name, 'expected.json');
      if (process.env.UPDATE_DIFF_EXPECTED) writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
      expect(report).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    });
  }
});
