import { describe, expect, it } from 'vitest';
import { DefinitionRegistry, loadText } from '../engine/load/index.js';
import { diffTrees } from '../engine/diff/index.js';
import { validateRegistry } from '../engine/validate/index.js';
import { actionsWorkload } from './actions-workload.js';

function registry(files: Map<string, string>) {
  return new DefinitionRegistry([...files].flatMap(([file, text]) => loadText(text, file).resources));
}

describe('actionsWorkload', () => {
  it('gives one file per resource', () => {
    expect(actionsWorkload({ tasks: 7, workflows: 4 }).size).toBe(11);
  });

  it('both variants validate without errors, so the benchmark times a realistic clean tree', () => {
    for (const variant of ['base', 'head'] as const) {
      const diagnostics = validateRegistry(registry(actionsWorkload({ tasks: 12, workflows: 8, variant })));
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }
  });

  it('the head variant changes every task and the chosen workflows', () => {
    const report = diffTrees(registry(actionsWorkload({ tasks: 12, workflows: 8 })), registry(actionsWorkload({ tasks: 12, workflows: 8, variant: 'head', changedWorkflows: 5 })));
    expect(report.summary).toMatchObject({ changed: 17, unchanged: 3, breakingChanges: 0 });
  });
});
