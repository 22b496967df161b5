import type { DefinitionRegistry } from '../load/registry.js';
import { toPointer } from '../load/yaml.js';
import { qualifiedName, type StepSpec, type WorkflowResource } from '../model/types.js';
import { stepReferences } from '../plan/refs.js';
import { fieldPath } from './contract.js';

/** A step that names a task (`taskRef`, also in a switch case) or a workflow (`workflowRef`). */
export interface StepUse {
  workflow: WorkflowResource;
  step: StepSpec;
  /** Step ids from the outermost list, joined with `/`. */
  stepPath: string;
  /** JSON pointer of the field that names the used resource. */
  refPointer: string;
}

/** `WorkflowTask/ns/name` or `Workflow/ns/name` → the steps that use it, in workflow and step order. */
export type UsageIndex = Map<string, StepUse[]>;

/**
 * Indexes every step of every workflow by the task or workflow it uses.
 * @example usageIndex(registry).get('WorkflowTask/default/get-user')?.map((u) => u.stepPath) // ['fetch-user']
 */
export function usageIndex(registry: DefinitionRegistry): UsageIndex {
  const index: UsageIndex = new Map();
  const add = (key: string, use: StepUse) => {
    const list = index.get(key);
    if (list) list.push(use);
    else index.set(key, [use]);
  };
  for (const wf of [...registry.workflows.values()].sort((x, y) => qualifiedName(x).localeCompare(qualifiedName(y)))) {
    const ns = wf.metadata.namespace;
    const visit = (steps: unknown, at: Array<string | number>, prefix: string) => {
      if (!Array.isArray(steps)) return;
      steps.forEach((step: StepSpec, i) => {
        if (!step || typeof step !== 'object' || typeof step.id !== 'string') return;
        const stepPath = prefix ? `${prefix}/${step.id}` : step.id;
        const here = [...at, i];
        const use = (kind: string, ref: unknown, pointerTail: Array<string | number>) => {
          if (typeof ref !== 'string' || !ref) return;
          const name = ref.split('@')[0];
          add(`${kind}/${name.includes('/') ? name : `${ns}/${name}`}`, { workflow: wf, step, stepPath, refPointer: toPointer([...here, ...pointerTail]) });
        };
        use('WorkflowTask', step.taskRef, ['taskRef']);
        use('Workflow', step.workflowRef, ['workflowRef']);
        step.switch?.cases?.forEach((c, ci) => {
          use('WorkflowTask', c.taskRef, ['switch', 'cases', ci, 'taskRef']);
          use('Workflow', c.workflowRef, ['switch', 'cases', ci, 'workflowRef']);
        });
        use('WorkflowTask', step.switch?.default?.taskRef, ['switch', 'default', 'taskRef']);
        use('Workflow', step.switch?.default?.workflowRef, ['switch', 'default', 'workflowRef']);
        visit(step.tasks, [...here, 'tasks'], stepPath);
      });
    };
    visit(wf.spec.tasks, ['spec', 'tasks'], '');
  }
  return index;
}

const readsCache = new WeakMap<WorkflowResource, Map<string, string[][]>>();

/**
 * The output fields of each step that its workflow reads, as schema paths (`['items', '[]', 'sku']`;
 * an empty path reads the whole output). Reads come from every step's templates and the workflow's
 * `output`; a forEach step's `output.results[i]` and `forEach.outputs[i]` read one item's output.
 */
export function outputReads(workflow: WorkflowResource): Map<string, string[][]> {
  const cached = readsCache.get(workflow);
  if (cached) return cached;
  const forEachSteps = new Set<string>();
  const steps: StepSpec[] = [];
  const collect = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const s of list as StepSpec[]) {
      if (!s || typeof s !== 'object') continue;
      steps.push(s);
      if (s.forEach) forEachSteps.add(s.id);
      collect(s.tasks);
    }
  };
  collect(workflow.spec.tasks);
  const reads = new Map<string, string[][]>();
  const record = (segments: ReadonlyArray<string | number>) => {
    const id = String(segments[0]);
    let rest: ReadonlyArray<string | number> | undefined;
    if (segments[1] === 'output') rest = segments.slice(2);
    else if (segments[1] === 'forEach' && segments[2] === 'outputs') rest = segments.slice(3);
    if (!rest) return;
    if (forEachSteps.has(id)) {
      // `output.results[i]…` and `forEach.outputs[i]…` both reach one iteration's output.
      if (segments[1] === 'output' && rest[0] === 'results') rest = rest.slice(1);
      if (rest.length && typeof rest[0] === 'number') rest = rest.slice(1);
    }
    const path = rest.map((s) => (typeof s === 'number' ? '[]' : s));
    const list = reads.get(id);
    if (list) list.push(path);
    else reads.set(id, [path]);
  };
  const outputHolder = { id: '', input: workflow.spec.output } as StepSpec;
  for (const s of [...steps, outputHolder]) {
    for (const r of stepReferences(s, { nested: false })) {
      if (r.path.root === 'tasks' && r.path.segments.length > 0) record(r.path.segments);
    }
  }
  readsCache.set(workflow, reads);
  return reads;
}

/** True when reading `read` touches `field`: one path is a prefix of the other. */
export function touches(read: readonly string[], field: readonly string[]): boolean {
  const n = Math.min(read.length, field.length);
  for (let i = 0; i < n; i++) if (read[i] !== field[i]) return false;
  return true;
}

/** `items[].sku` → `['items', '[]', 'sku']`; the inverse of `fieldPath`. */
export function fieldSegments(field: string): string[] {
  if (!field) return [];
  const out: string[] = [];
  for (const part of field.split('.')) {
    const name = part.replace(/(\[\])+$/, '');
    if (name) out.push(name);
    for (let i = 0; i < (part.length - name.length) / 2; i++) out.push('[]');
  }
  return out;
}

/** Readable list of read paths: `(whole output)` for an empty path. */
export function readLabel(path: readonly string[]): string {
  return path.length ? fieldPath(path) : '(whole output)';
}
