import { toPointer } from '../load/yaml.js';
import { isObject, readablePath } from './context.js';
import { scanTemplates, type TemplateString } from './templates.js';

/** A step of a workflow with what the rules need to know about its place in the tree. */
export interface StepNode {
  /** The step as loaded (compatibility forms normalised); its fields may still have wrong types. */
  step: Record<string, any>;
  /** The step id when it is a string. */
  id?: string;
  pointer: string;
  parent?: StepNode;
  /** The list the step belongs to, itself included. */
  siblings: StepNode[];
  /** Inline nested steps (`tasks:`). */
  children: StepNode[];
  /** forEach variable names visible to the step's own fields (input, condition, switch, nested steps). */
  vars: ReadonlySet<string>;
  /** forEach variable names visible to its `forEach.items`: those of the enclosing loops only. */
  outerVars: ReadonlySet<string>;
  /** How many forEach loops run this step's body, its own included. */
  depth: number;
  /** The step's own template strings (workflowRef, input, condition, switch, forEach), parsed once; nested steps hold theirs. */
  strings: TemplateString[];
}

/** The item variable a forEach uses when it names none. */
export const DEFAULT_ITEM_VAR = 'item';
/** Names every forEach scope has besides its item and index variables. */
export const FOREACH_BUILTINS = ['index', '$parent', '$root'] as const;
/** Fields that may carry templates, in the order they are checked (a workflowRef may be chosen by one). */
const TEMPLATED_FIELDS = ['workflowRef', 'input', 'condition', 'switch', 'forEach'] as const;

/**
 * Builds the tree of steps of a workflow (`spec.tasks` and every nested `tasks:`), in declaration
 * order, parsing each template string once. Entries that are not objects are left out (the schema
 * reports them).
 * @example buildStepTree([{ id: 'a', forEach: { items: '{{ input.xs }}', itemVar: 'x' }, tasks: [{ id: 'b' }] }], '/spec/tasks')[0].children[0].vars
 * // Set { 'x', 'index' … } (the loop's variables)
 */
export function buildStepTree(list: unknown, pointer: string, parent?: StepNode): StepNode[] {
  if (!Array.isArray(list)) return [];
  const siblings: StepNode[] = [];
  const outerVars = parent?.vars ?? new Set<string>();
  const outerDepth = parent?.depth ?? 0;
  list.forEach((step, i) => {
    if (!isObject(step)) return;
    const at = `${pointer}/${i}`;
    const loop = isObject(step.forEach) ? step.forEach : undefined;
    const vars = loop ? new Set([...outerVars, ...loopVars(loop)]) : outerVars;
    const strings: TemplateString[] = [];
    for (const key of TEMPLATED_FIELDS) if (step[key] !== undefined) strings.push(...scanTemplates(step[key], at + toPointer([key])));
    const node: StepNode = {
      step,
      id: typeof step.id === 'string' ? step.id : undefined,
      pointer: at,
      parent,
      siblings,
      children: [],
      vars,
      outerVars,
      depth: outerDepth + (loop ? 1 : 0),
      strings,
    };
    siblings.push(node);
    node.children = buildStepTree(step.tasks, `${at}/tasks`, node);
  });
  return siblings;
}

function loopVars(loop: Record<string, any>): string[] {
  const out = [typeof loop.itemVar === 'string' && loop.itemVar ? loop.itemVar : DEFAULT_ITEM_VAR, ...FOREACH_BUILTINS];
  if (typeof loop.indexVar === 'string' && loop.indexVar) out.push(loop.indexVar);
  return out;
}

/** Every node of a tree, parents before children, in declaration order. */
export function flatten(nodes: readonly StepNode[]): StepNode[] {
  const out: StepNode[] = [];
  const visit = (n: StepNode) => {
    out.push(n);
    n.children.forEach(visit);
  };
  nodes.forEach(visit);
  return out;
}

/** `Step 'charge'`, or `Step spec.tasks[2]` for a step without an id. */
export function stepLabel(node: StepNode): string {
  return node.id !== undefined ? `Step '${node.id}'` : `Step ${readablePath(node.pointer)}`;
}

/** A field of a step as people read it: `Step 'charge' input.amount`. */
export function fieldLabel(node: StepNode, pointer: string): string {
  const rel = readablePath(pointer.slice(node.pointer.length));
  return rel ? `${stepLabel(node)} ${rel}` : stepLabel(node);
}

/** The ids of the forEach steps that run a node, the node included when it loops, outermost first. */
export function loopChain(node: StepNode): string[] {
  const out: string[] = [];
  for (let n: StepNode | undefined = node; n; n = n.parent) if (isObject(n.step.forEach)) out.unshift(n.id ?? readablePath(n.pointer));
  return out;
}
