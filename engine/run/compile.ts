import { createAjv, type ValidateFunction } from '../model/ajv.js';
import { resourceVersion } from '../model/canonical.js';
import { parseDuration } from '../model/duration.js';
import type { StepSpec, SwitchCaseSpec, WorkflowResource, WorkflowTaskResource } from '../model/types.js';
import { qualifiedName } from '../model/types.js';
import type { DefinitionRegistry } from '../load/registry.js';
import { buildGraph } from '../plan/graph.js';
import { compileCondition, conditionReads, type CompiledCondition } from '../expr/condition.js';
import { compileTransform, type CompiledTransform } from '../expr/jsonata.js';
import { compileValue, type CompiledValue } from '../template/compile.js';
import { compileHttp, type CompiledHttp } from './http.js';
import { retryPolicy, type RetryPolicy } from './retry.js';

/** A WorkflowTask ready to call. */
export interface CompiledTask {
  key: string;
  name: string;
  namespace: string;
  version: string;
  type: 'http' | 'transform';
  http?: CompiledHttp;
  transform?: CompiledTransform;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  resource: WorkflowTaskResource;
  validateInput?: ValidateFunction;
}

/** What a step (or a forEach iteration, or a switch case) does. */
export type CompiledBody =
  | { kind: 'task'; task: CompiledTask; input: CompiledValue; retry: RetryPolicy }
  | { kind: 'workflow'; ref: CompiledValue; namespace: string; input: CompiledValue }
  | { kind: 'switch'; value: CompiledValue; cases: Array<{ match: string; label: string; body: CompiledBody }>; fallback?: CompiledBody }
  | { kind: 'group'; group: CompiledGroup };

export interface CompiledForEach {
  items: CompiledValue;
  itemVar: string;
  indexVar?: string;
  /** 0 = unbounded. */
  maxParallel: number;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
}

export interface CompiledStep {
  id: string;
  index: number;
  deps: number[];
  dependents: number[];
  timeoutMs?: number;
  condition?: CompiledCondition;
  /**
   * On a forEach step, true when the condition reads `forEach.*`: it filters items one by one.
   * Otherwise the condition guards the whole step and is evaluated once, before `items`.
   */
  conditionPerItem?: boolean;
  forEach?: CompiledForEach;
  body: CompiledBody;
}

/** Sibling steps with their dependency edges as indexes. */
export interface CompiledGroup {
  steps: CompiledStep[];
  roots: number[];
}

export interface CompiledWorkflow {
  key: string;
  name: string;
  namespace: string;
  version: string;
  resource: WorkflowResource;
  validateInput: ValidateFunction;
  group: CompiledGroup;
  output?: CompiledValue;
  timeoutMs: number;
}

/** A definition that could not be compiled; the validator reports the same problems with positions. */
export class CompileError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
    readonly resource: string,
    readonly pointer: string,
  ) {
    super(message);
    this.name = 'CompileError';
  }
}

export interface CompileOptions {
  origins: ReadonlyMap<string, string>;
  defaultTimeoutMs: number;
  /** Deepest forEach nesting inside one workflow (default 3). */
  maxNestingDepth?: number;
}

/** forEach loops may nest this deep inside one workflow unless configured otherwise. */
export const DEFAULT_MAX_NESTING_DEPTH = 3;

const ajv = createAjv({ useDefaults: true });

/** Compiles JSON Schemas with a shared ajv; identical schemas share one validator. */
const schemaCache = new Map<string, ValidateFunction>();
function compileSchema(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let v = schemaCache.get(key);
  if (!v) {
    v = ajv.compile(schema);
    schemaCache.set(key, v);
  }
  return v;
}

/** Compiles every task and workflow of a registry; failures are returned, not thrown. */
export function compileRegistry(registry: DefinitionRegistry, options: CompileOptions): { tasks: Map<string, CompiledTask>; workflows: Map<string, CompiledWorkflow>; errors: CompileError[] } {
  const tasks = new Map<string, CompiledTask>();
  const workflows = new Map<string, CompiledWorkflow>();
  const errors: CompileError[] = [];
  for (const t of registry.tasks.values()) {
    try {
      tasks.set(qualifiedName(t), compileTask(t, options));
    } catch (err) {
      errors.push(asCompileError(err, `WorkflowTask/${qualifiedName(t)}`));
    }
  }
  for (const w of registry.workflows.values()) {
    try {
      workflows.set(qualifiedName(w), compileWorkflow(w, tasks, options));
    } catch (err) {
      errors.push(asCompileError(err, `Workflow/${qualifiedName(w)}`));
    }
  }
  return { tasks, workflows, errors };
}

function asCompileError(err: unknown, resource: string): CompileError {
  if (err instanceof CompileError) return err;
  const e = err as { code?: string; message: string; hint?: string };
  return new CompileError(e.code ?? 'WF_COMPILE', e.message, e.hint ?? 'Run `weft validate` for positions.', resource, '');
}

/** Compiles one task: URL split into a fixed origin and templates, schemas, transform. */
export function compileTask(t: WorkflowTaskResource, options: CompileOptions): CompiledTask {
  const key = qualifiedName(t);
  const owner = `task '${t.metadata.name}'`;
  const spec = t.spec;
  const compiled: CompiledTask = {
    key,
    name: t.metadata.name,
    namespace: t.metadata.namespace,
    version: resourceVersion(t),
    type: spec.type,
    timeoutMs: parseDuration(spec.timeout),
    resource: t,
  };
  if (spec.inputSchema && Object.keys(spec.inputSchema).length) compiled.validateInput = compileSchema(spec.inputSchema);
  if (spec.type === 'http') {
    if (!spec.http) throw new CompileError('WF_TASK_NO_HTTP', `${owner} has type http but no http block`, 'Add http: {method, url}.', `WorkflowTask/${key}`, '/spec/http');
    compiled.http = compileHttp(spec.http, owner, options.origins);
  } else {
    if (!spec.transform?.expression) throw new CompileError('WF_TASK_NO_TRANSFORM', `${owner} has type transform but no transform.expression`, 'Add transform: {expression: "…"} (JSONata).', `WorkflowTask/${key}`, '/spec/transform');
    compiled.transform = compileTransform(spec.transform.expression);
  }
  return compiled;
}

/** Compiles a workflow against compiled tasks: graph as indexes, templates, conditions, schemas. */
export function compileWorkflow(w: WorkflowResource, tasks: ReadonlyMap<string, CompiledTask>, options: CompileOptions): CompiledWorkflow {
  const key = qualifiedName(w);
  const ns = w.metadata.namespace;
  const resourceId = `Workflow/${key}`;
  const compileBody = (target: { taskRef?: string; workflowRef?: string; input?: unknown }, step: StepSpec, owner: string, pointer: string): CompiledBody => {
    const input = compileValue(target.input ?? {}, { owner: `${owner} input` });
    if (target.taskRef) {
      const ref = target.taskRef.includes('/') ? target.taskRef : `${ns}/${target.taskRef}`;
      const task = tasks.get(ref);
      if (!task) throw new CompileError('WF_UNKNOWN_TASK', `${owner} uses task '${target.taskRef}', which is not loaded or does not compile`, 'Define the WorkflowTask or fix its name.', resourceId, `${pointer}/taskRef`);
      return { kind: 'task', task, input, retry: retryPolicy(step.retry, task.resource.spec.retry) };
    }
    if (target.workflowRef) return { kind: 'workflow', ref: compileValue(target.workflowRef, { owner: `${owner} workflowRef` }), namespace: ns, input };
    throw new CompileError('WF_STEP_NO_ACTION', `${owner} has nothing to run`, 'Give it a taskRef, a workflowRef, a switch or nested tasks.', resourceId, pointer);
  };
  const maxDepth = options.maxNestingDepth ?? DEFAULT_MAX_NESTING_DEPTH;
  const compileGroup = (steps: StepSpec[], pointer: string, loops: readonly string[]): CompiledGroup => {
    const graph = buildGraph(steps);
    if (graph.cycles.length) {
      throw new CompileError('WF_CYCLE', `Dependency cycle: ${graph.cycles[0].join(' -> ')}`, 'Remove one of the dependencies.', resourceId, pointer);
    }
    const index = new Map(steps.map((s, i) => [s.id, i]));
    const compiled: CompiledStep[] = steps.map((s, i) => {
      const at = `${pointer}/${i}`;
      const owner = `step '${s.id}'`;
      const chain = s.forEach ? [...loops, s.id] : loops;
      if (chain.length > maxDepth) {
        throw new CompileError(
          'WF_NESTING_TOO_DEEP',
          `forEach loops nest ${chain.length} deep, more than the maximum of ${maxDepth}: ${chain.join(' > ')}`,
          'Move the inner loop into a sub-workflow (workflowRef) or raise the maximum nesting depth.',
          resourceId,
          at,
        );
      }
      let body: CompiledBody;
      if (s.switch) {
        // A case without its own input receives the step's input.
        const cases = s.switch.cases.map((c: SwitchCaseSpec, j) => ({
          match: String(c.match).toLowerCase(),
          label: String(c.match),
          body: compileBody({ ...c, input: c.input ?? s.input }, s, `${owner} case '${c.match}'`, `${at}/switch/cases/${j}`),
        }));
        const d = s.switch.default;
        const fallback = d ? compileBody({ ...d, input: d.input ?? s.input }, s, `${owner} default`, `${at}/switch/default`) : undefined;
        body = { kind: 'switch', value: compileValue(s.switch.value, { owner: `${owner} switch value` }), cases, fallback };
      } else if (s.tasks && !s.taskRef && !s.workflowRef) {
        body = { kind: 'group', group: compileGroup(s.tasks, `${at}/tasks`, chain) };
      } else {
        body = compileBody(s, s, owner, at);
      }
      const step: CompiledStep = {
        id: s.id,
        index: i,
        deps: (graph.dependencies.get(s.id) ?? []).map((d) => index.get(d)!),
        dependents: (graph.dependents.get(s.id) ?? []).map((d) => index.get(d)!),
        timeoutMs: parseDuration(s.timeout),
        body,
      };
      if (s.condition?.if) {
        try {
          step.condition = compileCondition(s.condition.if, owner);
        } catch (err) {
          const e = err as Error & { code?: string; hint?: string };
          throw new CompileError(e.code ?? 'WF_CONDITION_SYNTAX', `${owner}: ${e.message}`, e.hint ?? '', resourceId, `${at}/condition/if`);
        }
      }
      if (s.forEach) {
        const fe = s.forEach;
        if (step.condition) step.conditionPerItem = conditionReads(step.condition.tree, 'forEach');
        step.forEach = {
          items: compileValue(fe.items, { owner: `${owner} forEach.items` }),
          itemVar: fe.itemVar ?? 'item',
          indexVar: fe.indexVar,
          maxParallel: fe.maxParallel ?? 0,
          toleratedFailureCount: fe.toleratedFailureCount,
          toleratedFailurePercentage: fe.toleratedFailurePercentage,
        };
      }
      return step;
    });
    return { steps: compiled, roots: compiled.filter((s) => s.deps.length === 0).map((s) => s.index) };
  };
  const spec = w.spec;
  return {
    key,
    name: w.metadata.name,
    namespace: ns,
    version: resourceVersion(w),
    resource: w,
    validateInput: compileSchema(spec.input ?? { type: 'object' }),
    group: compileGroup(spec.tasks ?? [], '/spec/tasks', []),
    output: spec.output === undefined ? undefined : compileValue(spec.output, { owner: 'workflow output' }),
    timeoutMs: parseDuration(spec.timeout) ?? options.defaultTimeoutMs,
  };
}

