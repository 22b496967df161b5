import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPaths, loadText } from '../engine/load/index.js';
import { DefinitionRegistry } from '../engine/load/registry.js';
import { validatePaths, validateRegistry } from '../engine/validate/index.js';

/**
 * Every YAML block of the roadmap, saved verbatim under fixtures/roadmap/, loads without a crash
 * and validates to exactly the diagnostics recorded in expected-diagnostics.json; bare `tasks:`
 * fragments are also validated wrapped in a Workflow. The runnable wrappers validate clean.
 */
const dir = join(import.meta.dirname, '..', 'fixtures', 'roadmap');
type Row = [code: string, severity: string, line: number, column: number];
const expected: Record<string, { asIs: Row[]; wrapped?: Row[] }> = JSON.parse(readFileSync(join(dir, 'expected-diagnostics.json'), 'utf8'));
const blocks = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('roadmap blocks', () => {
  it('has an expectation for every block and a block for every expectation', () => {
    expect(Object.keys(expected).filter((k) => !k.startsWith('/')).sort()).toEqual(blocks);
  });

  for (const file of blocks) {
    it(`${file} validates to its expected diagnostics`, async () => {
      const { diagnostics } = await validatePaths([join(dir, file)], { cwd: dir });
      expect(diagnostics.map((d) => [d.code, d.severity, d.line, d.column])).toEqual(expected[file].asIs);
      for (const d of diagnostics) expect(d.hint, `${d.code} carries a hint`).toBeTruthy();
    });

    if (expected[file].wrapped) {
      it(`${file} wrapped in a Workflow validates to its expected diagnostics`, async () => {
        const library = await loadPaths([join(dir, 'tasks')]);
        const text = readFileSync(join(dir, file), 'utf8');
        const wrapped = `apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: wrapped }\nspec:\n${text.split('\n').map((l) => `  ${l}`).join('\n')}`;
        const loaded = loadText(wrapped, file);
        const diagnostics = validateRegistry(new DefinitionRegistry([...library.resources, ...loaded.resources])).filter((d) => d.file === file);
        expect(diagnostics.map((d) => [d.code, d.severity, d.line! - 4, d.column! - 2])).toEqual(expected[file].wrapped);
      });
    }
  }

  it('the runnable wrappers and their tasks validate clean', async () => {
    const { diagnostics } = await validatePaths([join(dir, 'runnable'), join(dir, 'tasks')]);
    expect(diagnostics).toEqual([]);
  });
});
