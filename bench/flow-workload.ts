/**
 * The workload of `flow.bench.ts`: a forEach over N items with maxParallel 50, each item one GET
 * to the demo API, run by the engine or by a hand-written loop making the same calls.
 *
 * Run as a script it is the engine process whose peak RSS the benchmark reports:
 * `node --import ./bin/ts-hooks.mjs bench/flow-workload.ts --api URL --items 10000 --rounds 3` prints one JSON
 * line `{ "maxRssMb": …, "itemsPerSecond": [...], "traceItems": … }`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import { loadText } from '../engine/load/index.js';
import { DefinitionRegistry } from '../engine/load/registry.js';
import { Engine } from '../engine/run/index.js';

export const FLOW_PARALLEL = 50;
export const FLOW_WORKFLOW = 'bench-foreach';

export const FLOW_DEFINITIONS = `apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: bench-get-user }
spec:
  type: http
  http: { method: GET, url: "http://demo-api/users/{{input.id}}" }
  timeout: 10s
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: ${FLOW_WORKFLOW} }
spec:
  timeout: 300s
  input:
    type: object
    properties: { ids: { type: array, items: { type: string } } }
    required: [ids]
  tasks:
    - id: each
      forEach: { items: "{{input.ids}}", itemVar: id, maxParallel: ${FLOW_PARALLEL} }
      taskRef: bench-get-user
      input: { id: "{{forEach.id}}" }
  output:
    count: "{{tasks.each.forEach.successCount}}"
    outputs: "{{tasks.each.forEach.outputs}}"
`;

/** N user ids cycling over the demo API's users 1..100. */
export function flowItems(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String((i % 100) + 1));
}

/** An engine serving the benchmark workflow against the demo API at `apiUrl`. */
export function flowEngine(apiUrl: string): Engine {
  const loaded = loadText(FLOW_DEFINITIONS, 'bench-flow.yaml');
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('; '));
  const engine = new Engine(new DefinitionRegistry(loaded.resources), { origins: [`http://demo-api=${apiUrl}`] });
  if (engine.compileErrors.length) throw new Error(engine.compileErrors.map((e) => e.message).join('; '));
  return engine;
}

/** Runs the forEach through the engine; returns its outputs and how many item traces it kept. */
export async function runEngineOnce(engine: Engine, ids: string[]): Promise<{ outputs: unknown[]; traceItems: number }> {
  const result = await engine.execute(FLOW_WORKFLOW, { ids });
  if (result.status !== 'succeeded') throw new Error(`${FLOW_WORKFLOW} ${result.status}: ${result.error?.message}`);
  const { count, outputs } = result.output as { count: number; outputs: unknown[] };
  if (count !== ids.length) throw new Error(`${FLOW_WORKFLOW}: ${count} of ${ids.length} items succeeded`);
  return { outputs, traceItems: result.steps[0].children?.length ?? 0 };
}

/**
 * The hand-written baseline: the same GETs with the same concurrency (50 workers over one undici
 * Agent with the engine's pool settings), JSON bodies parsed, outputs kept in index order.
 */
export async function handLoop(agent: Agent, apiUrl: string, ids: string[], parallel = FLOW_PARALLEL): Promise<unknown[]> {
  const outputs: unknown[] = new Array(ids.length).fill(null);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const i = next++;
      const res = await agent.request({ origin: apiUrl, path: `/users/${encodeURIComponent(ids[i])}`, method: 'GET', headers: {} });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`GET /users/${ids[i]} answered ${res.statusCode}`);
      outputs[i] = JSON.parse(text);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, ids.length) }, worker));
  return outputs;
}

/** An Agent configured like the engine's HttpClient. */
export function baselineAgent(): Agent {
  return new Agent({ connections: 256, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, pipelining: 1 });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { api: { type: 'string' }, items: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '3' } } });
  if (!values.api) throw new Error('--api URL is required');
  const ids = flowItems(Number(values.items));
  const engine = flowEngine(values.api);
  const itemsPerSecond: number[] = [];
  let traceItems = 0;
  for (let r = 0; r < Number(values.rounds); r++) {
    const start = performance.now();
    traceItems = (await runEngineOnce(engine, ids)).traceItems;
    itemsPerSecond.push(ids.length / ((performance.now() - start) / 1000));
  }
  await engine.close();
  // resourceUsage().maxRSS is in kilobytes: the peak resident set of this process.
  console.log(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, itemsPerSecond, traceItems }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
