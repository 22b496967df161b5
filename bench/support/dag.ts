import { createRandom } from '../../fixtures/demo-api/random.js';
import type { CompiledTask, TaskRunner } from '../../engine/run/index.js';

/** A layered DAG: `deps[i]` lists the steps step i reads from, all in earlier layers. */
export interface Dag {
  size: number;
  deps: number[][];
  /** Steps nothing depends on; the workflow output reads each of them. */
  sinks: number[];
}

/**
 * A random but seeded layered DAG of `size` steps: about √size layers; every step after the first
 * layer reads one step of the layer before it and up to two more of any earlier layer.
 * @example layeredDag(50, 1).deps[10] // e.g. [4, 1]
 */
export function layeredDag(size: number, seed: number): Dag {
  const random = createRandom(seed);
  const width = Math.max(1, Math.round(Math.sqrt(size)));
  const layerOf: number[] = [];
  const layers: number[][] = [];
  for (let i = 0; i < size; i++) {
    const layer = Math.floor(i / width);
    (layers[layer] ??= []).push(i);
    layerOf.push(layer);
  }
  const deps: number[][] = [];
  for (let i = 0; i < size; i++) {
    const layer = layerOf[i];
    if (layer === 0) {
      deps.push([]);
      continue;
    }
    const chosen = new Set<number>([random.pick(layers[layer - 1])]);
    const extra = random.int(3);
    const earlier = layers[layer - 1][layers[layer - 1].length - 1] + 1;
    for (let k = 0; k < extra; k++) chosen.add(random.int(earlier));
    deps.push([...chosen].sort((a, b) => a - b));
  }
  const used = new Set(deps.flat());
  const sinks = deps.map((_, i) => i).filter((i) => !used.has(i));
  return { size, deps, sinks };
}

export const stepId = (i: number): string => `s${i}`;
const inputKey = (k: number): string => `v${k}`;

/**
 * The DAG as Weft YAML (JSON documents, which are YAML): one task `bench-step` and a workflow
 * `name` whose steps pass `output.v` along every edge (`dependsOn` plus `{{tasks.X.output.v}}`).
 */
export function dagDefinitions(dag: Dag, name: string): string {
  const task = {
    apiVersion: 'workflow.io/v1',
    kind: 'WorkflowTask',
    metadata: { name: 'bench-step', namespace: 'default' },
    spec: { type: 'http', http: { method: 'GET', url: 'http://bench/step' } },
  };
  const steps = dag.deps.map((deps, i) => {
    const input: Record<string, string> = {};
    if (deps.length === 0) input[inputKey(0)] = '{{input.seed}}';
    deps.forEach((d, k) => (input[inputKey(k)] = `{{tasks.${stepId(d)}.output.v}}`));
    return { id: stepId(i), taskRef: 'bench-step', ...(deps.length ? { dependsOn: deps.map(stepId) } : {}), input };
  });
  const output = Object.fromEntries(dag.sinks.map((s) => [stepId(s), `{{tasks.${stepId(s)}.output.v}}`]));
  const workflow = {
    apiVersion: 'workflow.io/v1',
    kind: 'Workflow',
    metadata: { name, namespace: 'default' },
    spec: {
      input: { type: 'object', properties: { seed: { type: 'integer' } }, required: ['seed'] },
      tasks: steps,
      output,
    },
  };
  return `${JSON.stringify(task)}\n---\n${JSON.stringify(workflow)}\n`;
}

/**
 * The hand-written equivalent of the DAG workflow: one promise per step that waits for its own
 * dependencies, builds the same input by hand and calls the same runner; resolves to the same
 * output object as the workflow.
 */
export function promiseGraph(dag: Dag, task: CompiledTask, runner: TaskRunner): (input: { seed: number }) => Promise<Record<string, unknown>> {
  const signal = new AbortController().signal;
  const keys = dag.deps.map((deps) => deps.map((_, k) => inputKey(k)));
  const sinkIds = dag.sinks.map(stepId);
  return async (input) => {
    const results: Array<Promise<unknown>> = new Array(dag.size);
    for (let i = 0; i < dag.size; i++) {
      const deps = dag.deps[i];
      if (deps.length === 0) {
        results[i] = runner(task, { v0: input.seed }, signal);
        continue;
      }
      const names = keys[i];
      results[i] = Promise.all(deps.map((d) => results[d])).then((outs) => {
        const stepInput: Record<string, unknown> = {};
        for (let k = 0; k < outs.length; k++) stepInput[names[k]] = (outs[k] as { v: unknown }).v;
        return runner(task, stepInput, signal);
      });
    }
    const out: Record<string, unknown> = {};
    for (let k = 0; k < dag.sinks.length; k++) out[sinkIds[k]] = ((await results[dag.sinks[k]]) as { v: unknown }).v;
    return out;
  };
}
