import { describe, expect, it } from 'vitest';
import { loadText } from '../../engine/load/index.js';
import { DefinitionRegistry } from '../../engine/load/registry.js';
import { Engine, type TaskRunner } from '../../engine/run/index.js';
import { dagDefinitions, layeredDag, promiseGraph } from './dag.js';

describe('layeredDag', () => {
  it('gives the same DAG for the same seed', () => {
    expect(layeredDag(50, 7)).toEqual(layeredDag(50, 7));
  });

  it('only points dependencies at earlier steps, and every later step has one', () => {
    const dag = layeredDag(200, 3);
    dag.deps.forEach((deps, i) => {
      for (const d of deps) expect(d).toBeLessThan(i);
      if (i >= Math.round(Math.sqrt(200))) expect(deps.length).toBeGreaterThan(0);
    });
  });
});

describe('promiseGraph', () => {
  it('makes the same runner calls with the same inputs as the engine running the DAG workflow', async () => {
    const dag = layeredDag(30, 11);
    const loaded = loadText(dagDefinitions(dag, 'dag'), 'dag.yaml');
    expect(loaded.diagnostics).toEqual([]);
    const calls: Array<{ engine: boolean; input: unknown }> = [];
    let inEngine = false;
    const runner: TaskRunner = async (_task, input) => {
      calls.push({ engine: inEngine, input });
      return { v: (input as Record<string, number>).v0 + 1 };
    };
    const engine = new Engine(new DefinitionRegistry(loaded.resources), { runner });
    const baseline = await promiseGraph(dag, engine.task('bench-step')!, runner)({ seed: 1 });
    inEngine = true;
    const result = await engine.execute('dag', { seed: 1 });
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual(baseline);
    const inputs = (e: boolean) => calls.filter((c) => c.engine === e).map((c) => JSON.stringify(c.input)).sort();
    expect(inputs(true)).toHaveLength(30);
    expect(inputs(true)).toEqual(inputs(false));
  });
});
