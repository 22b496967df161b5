import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../load/index.js';
import { breakingDiagnostics } from './diagnostics.js';
import { diffTrees } from './tree.js';

async function caseReport(name: string) {
  const dir = join(import.meta.dirname, 'testdata', name);
  const base = await loadRegistry([join(dir, 'base')], { cwd: join(dir, 'base') });
  const head = await loadRegistry([join(dir, 'head')], { cwd: join(dir, 'head') });
  return diffTrees(base.registry, head.registry);
}

describe('breakingDiagnostics', () => {
  it('points at the removed task and at every step that still uses it', async () => {
    const list = breakingDiagnostics(await caseReport('task-removed-while-used'));
    expect(list.map((d) => [d.code, d.severity, d.file, d.line, d.column])).toEqual([
      ['WF_DIFF_BREAKING', 'warning', 'tasks.yaml', 3, 19],
      ['WF_DIFF_BREAKING_USE', 'warning', 'profile.yaml', 12, 16],
    ]);
    expect(list[1].message).toBe("Step 'load-user' of workflow 'default/profile' reads 'id' of Task 'default/get-user', which this change removes.");
  });

  it('gives nothing for a change that breaks no one', async () => {
    expect(breakingDiagnostics(await caseReport('output-field-removed-unused'))).toEqual([]);
  });

  it('uses the severity asked for', async () => {
    expect(breakingDiagnostics(await caseReport('output-field-removed-used'), 'error').every((d) => d.severity === 'error')).toBe(true);
  });
});
