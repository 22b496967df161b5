import { ajvErrorsToDiagnostics, createAjv } from '../model/ajv.js';
import { resourceVersion } from '../model/canonical.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { parseDuration } from '../model/duration.js';
import type { StepSpec, WorkflowResource } from '../model/types.js';
import type { DefinitionRegistry } from '../load/registry.js';
import type { TemplateScope } from '../template/compile.js';
import { conditionReads, parseCondition } from '../expr/condition.js';
import { buildGraph, criticalPath, type GraphEdge } from './graph.js';
import { previewValue } from './preview.js';

export { buildGraph, criticalPath, findCycles, type GraphEdge, type StepGraph } from './graph.js';
export { referencedSteps, stepReferences, type StepReference } from './refs.js';
export { previewValue } from './preview.js';

/** One step of a dry-run plan; nested steps (inline `tasks:`) appear as children. */
export interface PlanNode {
  id: string;
  /** Dotted path from the top: `process-departments.process-employees`. */
  path: string;
  kind: 'task' | 'workflow' | 'switch' | 'group';
  taskRef?: string;
  workflowRef?: string;
  dependsOn: string[];
  level: number;
  condition?: string;
  /** On a forEach step: `item` when the condition reads `forEach.*` (it filters items), `step` when it guards the whole loop. */
  conditionScope?: 'item' | 'step';
  forEach?: { items: unknown; itemVar: string; maxParallel: number; itemCount?: number };
  switch?: { value: unknown; cases: Array<{ match: string | number | boolean; taskRef?: string; workflowRef?: string }>; default?: { taskRef?: string; workflowRef?: string }; selected?: string };
  timeoutMs?: number;
  /** The step input as far as the given workflow input resolves it; other templates stay as written. */
  input?: unknown;
  /** The task's URL as far as it resolves, for http tasks. */
  url?: string;
  method?: string;
  unresolved: string[];
  /** Depth of control-flow nesting of this node (0 at the top). */
  depth: number;
  children?: PlanNode[];
}

/** True when a condition reads `forEach.*`; an unparseable condition counts as per item (the validator reports it). */
function readsForEach(text: string): boolean {
  try {
    return conditionReads(parseCondition(text), 'forEach');
  } catch {
    return true;
  }
}

/** What `POST /workflows/{name}/test` and `weft plan` return. */
export interface DryRunPlan {
  workflow: { name: string; namespace: string; version: string };
  inputValid: boolean;
  input: unknown;
  nodes: PlanNode[];
  edges: GraphEdge[];
  /** Steps that can run at the same time, level by level. */
  parallelGroups: string[][];
  criticalPath: string[];
  /** Deepest control-flow nesting in the workflow. */
  maxDepth: number;
  diagnostics: Diagnostic[];
}

const ajv = createAjv({ useDefaults: true });
/** Input validators by workflow spec: a plan compiles a workflow's input schema once. */
const inputValidators = new WeakMap<object, ReturnType<typeof ajv.compile>>();

/**
 * Builds the dry-run plan of a workflow for an optional input: graph, levels, critical path,
 * and previews of each step's input and URL. Nothing is called.
 * @example planWorkflow(registry.workflow('user-dashboard')!, registry, { userId: '1' }).parallelGroups
 */
export function planWorkflow(wf: WorkflowResource, registry: DefinitionRegistry, input?: unknown): DryRunPlan {
  const diagnostics: Diagnostic[] = [];
  const value = input === undefined || input === null ? {} : structuredClone(input);
  let validate = inputValidators.get(wf.spec);
  // Stryker disable next-line ConditionalExpression: compiling again on every plan gives the same validator
  if (!validate) {
    validate = ajv.compile(wf.spec.input ?? { type: 'object' });
    inputValidators.set(wf.spec, validate);
  }
  const inputValid = validate(value) as boolean;
  if (!inputValid) diagnostics.push(...ajvErrorsToDiagnostics(validate.errors!, '/input', 'WF_INPUT_INVALID'));
  const ns = wf.metadata.namespace;
  const scope: TemplateScope = { input: value, tasks: {} };
  let maxDepth = 0;

  const nodesOf = (steps: readonly StepSpec[], prefix: string, depth: number, sample: Record<string, unknown> | undefined): { nodes: PlanNode[]; graph: ReturnType<typeof buildGraph> } => {
    const graph = buildGraph(steps);
    for (const c of graph.cycles) diagnostics.push({ code: 'WF_CYCLE', severity: 'error', message: `Dependency cycle: ${c.join(' -> ')}`, hint: 'Remove one of the dependencies.' });
    const levelOf = new Map<string, number>();
    graph.levels.forEach((ids, l) => ids.forEach((id) => levelOf.set(id, l)));
    const nodes = steps.map((s): PlanNode => {
      const path = prefix ? `${prefix}.${s.id}` : s.id;
      const kind: PlanNode['kind'] = s.switch ? 'switch' : s.tasks && !s.taskRef && !s.workflowRef ? 'group' : s.workflowRef ? 'workflow' : 'task';
      const stepDepth = depth + (s.forEach ? 1 : 0);
      maxDepth = Math.max(maxDepth, stepDepth);
      let itemScope: TemplateScope = sample ? { ...scope, forEach: sample } : scope;
      const node: PlanNode = { id: s.id, path, kind, dependsOn: graph.dependencies.get(s.id)!, level: levelOf.get(s.id) ?? 0, unresolved: [], depth: stepDepth };
      if (s.taskRef) node.taskRef = s.taskRef;
      if (s.workflowRef) node.workflowRef = s.workflowRef;
      if (s.condition?.if) {
        node.condition = s.condition.if;
        if (s.forEach) node.conditionScope = readsForEach(s.condition.if) ? 'item' : 'step';
      }
      const timeout = parseDuration(s.timeout);
      if (timeout !== undefined) node.timeoutMs = timeout;
      if (s.forEach) {
        const items = previewValue(s.forEach.items, itemScope);
        node.forEach = { items: items.value, itemVar: s.forEach.itemVar ?? 'item', maxParallel: s.forEach.maxParallel ?? 0 };
        if (Array.isArray(items.value)) {
          node.forEach.itemCount = items.value.length;
          // The first item, as a run's first iteration sees it.
          const frame: Record<string, unknown> = Object.create(sample ?? null);
          frame[node.forEach.itemVar] = items.value[0];
          frame.index = 0;
          // Stryker disable next-line ConditionalExpression: a key 'undefined' is never read (the validator rejects forEach.undefined)
          if (s.forEach.indexVar) frame[s.forEach.indexVar] = 0;
          // Not enumerable, so a preview of {{forEach}} stays plain JSON rather than a circular object.
          Object.defineProperties(frame, { $parent: { value: sample ?? null }, $root: { value: sample ? sample.$root : frame } });
          itemScope = { ...scope, forEach: frame };
        }
        node.unresolved.push(...items.unresolved);
      }
      if (s.switch) {
        const v = previewValue(s.switch.value, itemScope);
        node.switch = {
          value: v.value,
          cases: s.switch.cases.map((c) => ({ match: c.match, ...(c.taskRef ? { taskRef: c.taskRef } : {}), ...(c.workflowRef ? { workflowRef: c.workflowRef } : {}) })),
          ...(s.switch.default ? { default: { ...(s.switch.default.taskRef ? { taskRef: s.switch.default.taskRef } : {}), ...(s.switch.default.workflowRef ? { workflowRef: s.switch.default.workflowRef } : {}) } } : {}),
        };
        if (v.unresolved.length === 0) {
          const hit = s.switch.cases.find((c) => String(c.match).toLowerCase() === String(v.value).toLowerCase());
          node.switch.selected = hit ? String(hit.match) : s.switch.default ? 'default' : undefined;
        }
        node.unresolved.push(...v.unresolved);
      }
      let inputKnown = true;
      if (s.input) {
        const p = previewValue(s.input, itemScope);
        node.input = p.value;
        node.unresolved.push(...p.unresolved);
        inputKnown = p.unresolved.length === 0;
      }
      // The URL of an http task, once the step input is known; a step without input sends an empty one.
      const http = s.taskRef ? registry.task(s.taskRef, ns)?.spec.http : undefined;
      if (http && inputKnown) {
        node.url = String(previewValue(http.url, { input: node.input ?? {}, tasks: {} }).value);
        node.method = (http.method ?? 'GET').toUpperCase();
      }
      if (kind === 'group' && s.tasks) node.children = nodesOf(s.tasks, path, stepDepth, itemScope.forEach).nodes;
      return node;
    });
    return { nodes, graph };
  };

  const { nodes, graph } = nodesOf(wf.spec.tasks ?? [], '', 0, undefined);
  return {
    workflow: { name: wf.metadata.name, namespace: ns, version: resourceVersion(wf) },
    inputValid,
    input: value,
    nodes,
    edges: graph.edges,
    parallelGroups: graph.levels,
    criticalPath: criticalPath(graph).path,
    maxDepth,
    diagnostics,
  };
}
