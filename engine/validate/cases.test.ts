import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VALIDATION_CODES, validatePaths } from './index.js';

/**
 * Data-driven rule cases: each `testdata/<case>/` holds `input.yaml` (plus any other YAML files
 * of the case), `expected.json` (every diagnostic, in order: code, severity, line, column, a
 * message substring and, for files other than input.yaml, the file) and optionally
 * `options.json`. The first comment line of input.yaml states the behaviour.
 */
interface Expected {
  code: string;
  severity: 'error' | 'warning' | 'info';
  line: number;
  column: number;
  message: string;
  file?: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const cases = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

function behaviour(dir: string): string {
  const first = readFileSync(join(dir, 'input.yaml'), 'utf8').split('\n')[0];
  return first.startsWith('#') ? first.replace(/^#\s*/, '') : 'matches expected.json';
}

describe('validation cases (testdata/)', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  for (const name of cases) {
    const dir = join(root, name);
    it(`${name}: ${behaviour(dir)}`, async () => {
      const options = existsSync(join(dir, 'options.json')) ? JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) : {};
      const expected: Expected[] = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
      const { diagnostics } = await validatePaths([dir], { ...options, cwd: dir });
      const actual = diagnostics.map((d) => ({ code: d.code, severity: d.severity, line: d.line, column: d.column, file: d.file, message: d.message }));
      const want = expected.map((e) => ({
        code: e.code,
        severity: e.severity,
        line: e.line,
        column: e.column,
        file: e.file ?? 'input.yaml',
        message: expect.stringContaining(e.message),
      }));
      expect(actual).toEqual(want);
      for (const d of diagnostics) {
        expect(d.hint, `${d.code} has a hint`).toBeTruthy();
        if (!d.code.startsWith('WF_YAML') && !d.code.startsWith('WF_LOAD') && d.code !== 'WF_DUPLICATE_RESOURCE') {
          expect(Object.keys(VALIDATION_CODES), `${d.code} is a documented code`).toContain(d.code);
          expect(d.resource, `${d.code} names its resource`).toMatch(/^(Workflow|WorkflowTask)\//);
          expect(d.pointer, `${d.code} has a pointer`).toBeTypeOf('string');
        }
      }
    });
  }
});

describe('the case collection', () => {
  it('produces every documented code except WF_INTERNAL (index.test.ts) and the WF_SCHEMA_INVALID fallback', () => {
    const produced = new Set(cases.flatMap((name) => (JSON.parse(readFileSync(join(root, name, 'expected.json'), 'utf8')) as Expected[]).map((e) => e.code)));
    const missing = Object.keys(VALIDATION_CODES).filter((c) => !produced.has(c) && c !== 'WF_INTERNAL' && c !== 'WF_SCHEMA_INVALID');
    expect(missing).toEqual([]);
  });
});
