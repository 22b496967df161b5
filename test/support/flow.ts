import { expect } from 'vitest';
import { loadText } from '../../engine/load/index.js';
import { DefinitionRegistry } from '../../engine/load/registry.js';
import { Engine, type EngineOptions } from '../../engine/run/engine.js';
import { StepError } from '../../engine/run/errors.js';
import type { StepTrace } from '../../engine/run/trace.js';

/** What a fake service does with one call: return an output, or throw (see `httpFailure`). */
export type FakeHandler = (input: any, signal: AbortSignal) => unknown;

/** The calls a flow engine's fake services received, in order. */
export interface FlowCalls {
  list: Array<{ task: string; input: any }>;
  /** Inputs of the calls made to one task. */
  of(task: string): any[];
}

/** A WorkflowTask whose calls the engine's runner answers; the URL is never fetched. */
export function fakeTask(name: string, extra = ''): string {
  return `apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: ${name} }
spec:
  type: http
  http: { method: POST, url: "http://fake/${name}" }
${extra}
---
`;
}

/**
 * Loads YAML (failing the test on load errors) into an Engine whose task calls go to `handlers`
 * by task name, so control flow is tested without a network.
 */
export function flowEngine(yaml: string, handlers: Record<string, FakeHandler>, options: EngineOptions = {}): { engine: Engine; calls: FlowCalls } {
  const loaded = loadText(yaml, 'flow.yaml');
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const list: FlowCalls['list'] = [];
  const engine = new Engine(new DefinitionRegistry(loaded.resources), {
    ...options,
    runner: async (task, input, signal) => {
      list.push({ task: task.name, input });
      const handler = handlers[task.name];
      if (!handler) throw new Error(`no fake handler for task '${task.name}'`);
      return handler(input, signal);
    },
  });
  expect(engine.compileErrors.map((e) => e.message)).toEqual([]);
  return { engine, calls: { list, of: (task) => list.filter((c) => c.task === task).map((c) => c.input) } };
}

/** The error a failed HTTP call raises, as the HTTP runner would. */
export function httpFailure(status: number, message = `HTTP ${status}`): StepError {
  return new StepError({ type: 'http', code: 'WF_HTTP_STATUS', message, httpStatus: status });
}

/** Resolves after `turns` macrotask turns: lets concurrent calls overlap without waiting for time. */
export async function turns(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Counts calls in flight; `peak` is the most that ran at once. */
export class InFlight {
  now = 0;
  peak = 0;
  /** Wraps a handler so each call counts while it runs (it yields a few turns to overlap). */
  wrap(handler: FakeHandler): FakeHandler {
    return async (input, signal) => {
      this.now++;
      this.peak = Math.max(this.peak, this.now);
      try {
        await turns();
        return await handler(input, signal);
      } finally {
        this.now--;
      }
    };
  }
}

/** A handler that never answers until its call is aborted (step or workflow timeouts). */
export const hang: FakeHandler = (_input, signal) =>
  new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

/** The trace of a step by id path: `trace(steps, 'loop', 'loop[1]', 'inner')`. */
export function traceAt(steps: readonly StepTrace[], ...ids: string[]): StepTrace {
  let list = steps;
  let found: StepTrace | undefined;
  for (const id of ids) {
    found = list.find((s) => s?.id === id);
    if (!found) throw new Error(`no trace '${id}' among ${list.map((s) => s?.id).join(', ')}`);
    list = found.children ?? [];
  }
  return found!;
}

/** A minimal Workflow document around a `tasks:` list (indented YAML) and an optional output. */
export function workflowYaml(name: string, tasks: string, extra = ''): string {
  return `apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: ${name} }
spec:
${extra}
  tasks:
${tasks}
---
`;
}
