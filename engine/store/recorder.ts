import type { Resource } from '../model/types.js';
import type { ExecutionResult, StepTrace } from '../run/trace.js';
import type { ExecutionStore, RecordMeta, StartMeta } from './store.js';

interface Versioned {
  version: string;
  resource: Pick<Resource, 'apiVersion' | 'kind' | 'metadata' | 'spec'>;
}

/** The part of `Engine` the recorder reads: the compiled definitions a result names. */
export interface RecorderEngine {
  resolveWorkflow(ref: string, namespace?: string): Versioned | undefined;
  task(name: string, namespace?: string): Versioned | undefined;
}

/**
 * Records engine results in the execution history, together with the definition versions
 * they ran (the workflow, the tasks and the child workflows its trace names; each version once).
 * The server calls `record` after a synchronous run and answers when it resolves.
 * @example
 * const recorder = new ExecutionRecorder(store, engine);
 * const result = await engine.execute('checkout', input);
 * await recorder.record(result, { input, trigger: 'api' });   // durable now
 */
export class ExecutionRecorder {
  constructor(
    readonly store: ExecutionStore,
    private readonly engine?: RecorderEngine,
  ) {}

  /** Stores a finished run; resolves once it is durable. */
  async record(result: ExecutionResult, meta: RecordMeta): Promise<void> {
    const versions = this.newVersions(result);
    if (!versions.length) return this.store.record(result, meta);
    await Promise.all([...versions.map((r) => this.store.recordDefinitionVersion(r)), this.store.record(result, meta)]);
  }

  /** Stores a started asynchronous run (status `running`). */
  start(meta: StartMeta): Promise<void> {
    return this.store.recordStart(meta);
  }

  /** Completes a run stored by `start`. */
  async end(result: ExecutionResult): Promise<void> {
    const versions = this.newVersions(result);
    await Promise.all([...versions.map((r) => this.store.recordDefinitionVersion(r)), this.store.recordEnd(result)]);
  }

  /** Definitions named by the result whose current version this store has not stored yet. */
  private newVersions(result: ExecutionResult): Versioned['resource'][] {
    if (!this.engine) return [];
    const out: Versioned['resource'][] = [];
    const seen = new Set<string>();
    const consider = (kind: string, d: Versioned | undefined) => {
      if (!d) return;
      const ns = d.resource.metadata.namespace ?? 'default';
      const key = `${kind}/${ns}/${d.resource.metadata.name}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (!this.store.hasDefinitionVersion(kind, ns, d.resource.metadata.name, d.version)) out.push(d.resource);
    };
    const ns = result.workflow.namespace;
    const wf = this.engine.resolveWorkflow(result.workflow.name, ns);
    if (wf?.version === result.workflow.version) consider('Workflow', wf);
    const walk = (steps: readonly StepTrace[]) => {
      for (const s of steps) {
        if (s.taskRef) consider('WorkflowTask', this.engine!.task(s.taskRef, ns));
        if (s.workflowRef) consider('Workflow', this.engine!.resolveWorkflow(s.workflowRef, ns));
        if (s.children) walk(s.children);
      }
    };
    walk(result.steps);
    return out;
  }
}
