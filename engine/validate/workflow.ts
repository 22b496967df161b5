import { nearest } from '../model/suggest.js';
import { qualifiedName, type JsonSchema, type WorkflowResource, type WorkflowTaskResource } from '../model/types.js';
import { RESERVED_STEP_FIELDS, RESERVED_WORKFLOW_FIELDS } from '../model/schemas.js';
import { toPointer } from '../load/yaml.js';
import { buildGraph } from '../plan/graph.js';
import { TEMPLATE_ROOTS, type TemplatePath } from '../template/parse.js';
import { parseWorkflowRef, resolveWorkflowRef } from './calls.js';
import { isObject, readablePath, taskInputSchema, taskOutputSchema, type Findings, type ValidationContext } from './context.js';
import { checkForEach, checkNesting, checkSwitch, validateConditions } from './control-flow.js';
import { declaredTypes, schemaAt, typeFit } from './json-schema.js';
import { buildStepTree, fieldLabel, flatten, stepLabel, type StepNode } from './steps.js';
import { reportJsonSchema } from './task.js';
import { reportTemplateSyntax, scanTemplates, templateUses, wholePath, type TemplateString, type TemplateUse } from './templates.js';

/** What `tasks.<id>.<field>` may read (the template runtime's StepView). */
export const STEP_VIEW_FIELDS = ['output', 'status', 'forEach', 'error', 'reason'] as const;
const ACTIONS = ['taskRef', 'workflowRef', 'switch', 'tasks'] as const;

/** The target of a step or switch case whose input schema the step's input is checked against. */
export interface InputTarget {
  /** `task 'get-user'` or `workflow 'billing'`. */
  label: string;
  schema: JsonSchema | undefined;
}

/**
 * Semantic rules for one workflow: step ids, actions, references (tasks, workflows, dependsOn),
 * templates and the fields they read, input contracts and types, cycles, control flow, the output
 * mapping and reserved roadmap fields.
 */
export function validateWorkflow(workflow: WorkflowResource, ctx: ValidationContext, findings: Findings): void {
  new WorkflowCheck(workflow, ctx, findings).run();
}

/** The checks of one workflow, sharing its step tree and parsed templates with the control-flow rules. */
export class WorkflowCheck {
  readonly spec: Record<string, any>;
  readonly namespace: string;
  readonly top: StepNode[];
  readonly nodes: StepNode[];
  /** First step with each id, anywhere in the workflow. */
  readonly byId = new Map<string, StepNode>();
  /** Every template string of the steps, by pointer, for the type checks. */
  private readonly strings = new Map<string, TemplateString>();
  private readonly inputSchema: JsonSchema | undefined;

  constructor(
    readonly workflow: WorkflowResource,
    readonly ctx: ValidationContext,
    readonly findings: Findings,
  ) {
    this.spec = isObject(workflow.spec) ? workflow.spec : {};
    this.namespace = workflow.metadata.namespace ?? 'default';
    this.inputSchema = isObject(this.spec.input) ? this.spec.input : undefined;
    this.top = buildStepTree(this.spec.tasks, '/spec/tasks');
    this.nodes = flatten(this.top);
    for (const n of this.nodes) for (const s of n.strings) this.strings.set(s.pointer, s);
  }

  run(): void {
    this.ctx.calls.set(qualifiedName(this.workflow), []);
    this.checkIds();
    for (const node of this.nodes) this.checkStep(node);
    this.checkCycles(this.top);
    for (const node of this.nodes) if (node.children.length) this.checkCycles(node.children);
    checkNesting(this, this.nodes);
    this.checkOutput();
    if (this.inputSchema) reportJsonSchema(this.findings, this.inputSchema, '/spec/input', `Workflow '${this.workflow.metadata.name}' input`);
    for (const field of RESERVED_WORKFLOW_FIELDS) {
      if (this.spec[field] !== undefined) this.notSupportedYet(`/spec/${field}`, `Workflow '${this.workflow.metadata.name}'`, field);
    }
  }

  private checkIds(): void {
    for (const node of this.nodes) {
      if (node.id === undefined) continue;
      const first = this.byId.get(node.id);
      if (!first) {
        this.byId.set(node.id, node);
        continue;
      }
      const at = this.workflow.source.locate(`${first.pointer}/id`);
      this.findings.error(
        'WF_STEP_DUPLICATE_ID',
        `${node.pointer}/id`,
        `Step id '${node.id}' is used twice in workflow '${this.workflow.metadata.name}'; first at line ${at.line}`,
        'Give every step, nested steps included, its own id: templates find steps by id.',
      );
    }
  }

  private checkStep(node: StepNode): void {
    const { step } = node;
    const actions = ACTIONS.filter((a) => step[a] !== undefined);
    if (actions.length === 0) {
      this.findings.error('WF_STEP_NO_ACTION', node.pointer, `${stepLabel(node)} does nothing: it has no taskRef, workflowRef, switch or tasks`, 'Give the step exactly one of taskRef, workflowRef, switch or tasks.');
    } else if (actions.length > 1) {
      this.findings.error(
        'WF_STEP_CONFLICTING_ACTIONS',
        `${node.pointer}/${actions[1]}`,
        `${stepLabel(node)} has both ${actions.join(' and ')}; a step does exactly one thing`,
        'Keep one of them; use nested tasks: or a switch to combine several actions.',
      );
    }
    if (typeof step.taskRef === 'string' && step.taskRef) this.resolveTask(step.taskRef, `${node.pointer}/taskRef`, stepLabel(node));
    if (typeof step.workflowRef === 'string' && step.workflowRef) this.resolveWorkflow(node, step.workflowRef, `${node.pointer}/workflowRef`, stepLabel(node));
    this.checkDependsOn(node);
    const plain = node.strings.filter((s) => !s.pointer.startsWith(`${node.pointer}/condition/`));
    this.checkTemplates(node, plain);
    validateConditions(this, node);
    if (step.switch !== undefined) checkSwitch(this, node);
    if (step.forEach !== undefined) checkForEach(this, node);
    this.checkInputs(node);
    for (const field of RESERVED_STEP_FIELDS) if (step[field] !== undefined) this.notSupportedYet(`${node.pointer}/${field}`, stepLabel(node), field);
  }

  /** Finds a task for a taskRef, reporting an unknown one with "did you mean". */
  resolveTask(ref: string, pointer: string, owner: string): WorkflowTaskResource | undefined {
    const task = this.ctx.task(ref, this.namespace);
    if (!task) {
      const names = this.ctx.taskNamesIn(this.namespace);
      const best = nearest(ref, names, 1)[0] ?? names.find((n) => n.endsWith(`/${ref}`));
      this.findings.error(
        'WF_UNKNOWN_TASK',
        pointer,
        `${owner} uses task '${ref}', which does not exist in namespace '${ref.includes('/') ? ref.slice(0, ref.indexOf('/')) : this.namespace}'${best ? `. Did you mean '${best}'?` : ''}`,
        'Fix the name, or add the WorkflowTask to the definitions (a task in another namespace is written ns/name).',
      );
    }
    return task;
  }

  /**
   * Finds the workflow of a workflowRef and records the call for the cross-workflow checks. A ref
   * that is a template is chosen at run time: only its templates are checked.
   */
  resolveWorkflow(node: StepNode, ref: string, pointer: string, owner: string): WorkflowResource | undefined {
    if (ref.includes('{{')) {
      this.findings.info(
        'WF_WORKFLOW_REF_DYNAMIC',
        pointer,
        `${owner} chooses its workflow at run time ('${ref}'), so its existence, cycles and call depth are only checked when it runs`,
        'Prefer a literal workflowRef (or a switch over literal ones) so that validation can check the call.',
      );
      return undefined;
    }
    const target = resolveWorkflowRef(this.ctx, this.findings, ref, this.namespace, pointer, owner);
    if (target) this.ctx.calls.get(qualifiedName(this.workflow))!.push({ target: qualifiedName(target), pointer, stepId: node.id ?? readablePath(node.pointer) });
    return target;
  }

  private checkDependsOn(node: StepNode): void {
    const deps = node.step.dependsOn;
    if (!Array.isArray(deps)) return;
    deps.forEach((dep, i) => {
      if (typeof dep !== 'string') return;
      const pointer = `${node.pointer}/dependsOn/${i}`;
      if (dep === node.id) {
        this.findings.error('WF_STEP_SELF_DEPENDENCY', pointer, `${stepLabel(node)} depends on itself`, `Remove '${dep}' from its dependsOn.`);
        return;
      }
      if (node.siblings.some((s) => s.id === dep)) return;
      const elsewhere = this.byId.get(dep);
      if (elsewhere) {
        this.findings.error(
          'WF_STEP_UNKNOWN_DEPENDENCY',
          pointer,
          `${stepLabel(node)} depends on '${dep}', which is not in the same list of steps; dependsOn only orders sibling steps`,
          node.parent ? `Put the dependency on the enclosing step '${node.parent.id ?? '?'}' instead.` : `'${dep}' is nested inside '${elsewhere.parent?.id ?? '?'}'; depend on that step instead.`,
        );
        return;
      }
      const best = nearest(dep, node.siblings.flatMap((s) => (s.id !== undefined && s !== node ? [s.id] : [])), 1)[0];
      this.findings.error(
        'WF_STEP_UNKNOWN_DEPENDENCY',
        pointer,
        `${stepLabel(node)} depends on '${dep}', which is not a step of this workflow${best ? `. Did you mean '${best}'?` : ''}`,
        'Name a step id from the same list of steps.',
      );
    });
  }

  /**
   * Syntax and references of template strings that belong to a step (or to the workflow output
   * when `node` is undefined). Strings under the step's `forEach` see the enclosing loops only.
   */
  checkTemplates(node: StepNode | undefined, strings: readonly TemplateString[]): void {
    const owner = (t: TemplateString) => (node ? fieldLabel(node, t.pointer) : `Workflow '${this.workflow.metadata.name}' ${readablePath(t.pointer).replace(/^spec\./, '')}`);
    reportTemplateSyntax(this.findings, strings, owner);
    for (const use of templateUses(strings)) {
      const vars = node ? (use.string.pointer.startsWith(`${node.pointer}/forEach/`) ? node.outerVars : node.vars) : new Set<string>();
      this.checkUse(node, use, vars, owner(use.string));
    }
  }

  private checkUse(node: StepNode | undefined, use: TemplateUse, vars: ReadonlySet<string>, owner: string): void {
    const { path, string } = use;
    const place = { text: string.text, offset: path.offset };
    const report = (code: Parameters<Findings['error']>[0], message: string, hint: string) => this.findings.error(code, string.pointer, message, hint, place);
    switch (path.root) {
      case 'input': {
        const found = schemaAt(this.inputSchema, path.segments);
        if (found.kind === 'missing') {
          const best = nearest(found.key, found.known, 1)[0];
          report(
            'WF_TEMPLATE_UNKNOWN_INPUT',
            `${owner} reads '${path.text}', but the workflow input declares no '${found.key}'${best ? `. Did you mean '${best}'?` : ''}`,
            `Declare '${found.key}' in spec.input, or fix the name.`,
          );
        }
        return;
      }
      case 'forEach': {
        if (vars.size === 0) {
          report('WF_TEMPLATE_FOREACH_OUTSIDE', `${owner} reads '${path.text}' outside any forEach`, 'forEach.* is only set inside a step with forEach (and its nested steps); read the loop results as tasks.<id>.forEach.outputs.');
          return;
        }
        const name = path.segments[0];
        if (typeof name === 'string' && !vars.has(name)) {
          const best = nearest(name, vars, 1)[0];
          report(
            'WF_TEMPLATE_UNKNOWN_FOREACH_VAR',
            `${owner} reads '${path.text}', but no enclosing forEach names a variable '${name}'${best ? `. Did you mean '${best}'?` : ''}`,
            `Use the forEach's itemVar (default 'item'), its indexVar, or index.`,
          );
        }
        return;
      }
      case 'tasks':
        this.checkTaskPath(node, path, report, owner);
        return;
      default:
        if (!(TEMPLATE_ROOTS as readonly string[]).includes(path.root)) {
          const best = nearest(path.root, TEMPLATE_ROOTS, 1)[0];
          report(
            'WF_TEMPLATE_UNKNOWN_ROOT',
            `${owner} reads '${path.text}'; '${path.root}' is not something templates can read${best ? `. Did you mean '${best}'?` : ''}`,
            `Start the path with one of ${TEMPLATE_ROOTS.join(', ')}.`,
          );
        }
    }
  }

  private checkTaskPath(node: StepNode | undefined, path: TemplatePath, report: (code: any, message: string, hint: string) => void, owner: string): void {
    const [id, field, ...rest] = path.segments;
    if (id === undefined) return;
    if (typeof id !== 'string') {
      report('WF_TEMPLATE_UNKNOWN_TASK', `${owner} reads '${path.text}'; steps are read by id, as tasks.<id>`, 'Write tasks.<step id>.output.');
      return;
    }
    const lookup = this.visibleStep(node, id);
    if (lookup.kind === 'self') {
      report('WF_STEP_SELF_DEPENDENCY', `${owner} reads its own step's result '${path.text}'`, 'A step cannot read its own output; read another step, or the forEach item.');
      return;
    }
    if (lookup.kind === 'enclosing') {
      report('WF_STEP_SELF_DEPENDENCY', `${owner} reads '${path.text}', but runs inside step '${id}', which finishes only after it`, `Read what '${id}' was given instead (its input comes from other steps or input.*).`);
      return;
    }
    if (lookup.kind !== 'found') {
      const elsewhere = this.byId.get(id);
      if (elsewhere) {
        const parent = elsewhere.parent?.id ?? '?';
        report(
          'WF_TEMPLATE_UNKNOWN_TASK',
          `${owner} reads '${path.text}', but step '${id}' is nested inside '${parent}' and is not visible here`,
          isObject(elsewhere.parent?.step.forEach) ? `Read the loop's results: tasks.${parent}.forEach.outputs.` : `Read it through the group's output: tasks.${parent}.output.${id}.`,
        );
      } else {
        const best = nearest(id, this.visibleIds(node), 1)[0];
        report('WF_TEMPLATE_UNKNOWN_TASK', `${owner} reads '${path.text}', but there is no step '${id}'${best ? `. Did you mean '${best}'?` : ''}`, 'Name a step id of this workflow.');
      }
      return;
    }
    const target = lookup.node;
    if (field === undefined) return;
    if (typeof field !== 'string' || !(STEP_VIEW_FIELDS as readonly string[]).includes(field)) {
      const best = typeof field === 'string' ? nearest(field, STEP_VIEW_FIELDS, 1)[0] : undefined;
      report(
        'WF_TEMPLATE_UNKNOWN_STEP_FIELD',
        `${owner} reads '${path.text}'; a step has no '${String(field)}'${best ? `. Did you mean '${best}'?` : ''}`,
        `After tasks.${id} use one of ${STEP_VIEW_FIELDS.join(', ')}.`,
      );
      return;
    }
    if (field === 'forEach' && !isObject(target.step.forEach)) {
      report('WF_TEMPLATE_NOT_FOREACH', `${owner} reads '${path.text}', but step '${id}' has no forEach`, `Read tasks.${id}.output instead.`);
      return;
    }
    if (field !== 'output' && field !== 'forEach') return;
    const produced = field === 'output' ? this.stepOutput(target) : this.loopSummary(target);
    if (!produced) return;
    const found = schemaAt(produced.schema, rest);
    if (found.kind !== 'missing') return;
    const best = nearest(found.key, found.known, 1)[0];
    report(
      'WF_TEMPLATE_UNKNOWN_OUTPUT',
      `${owner} reads '${path.text}', but ${produced.origin} has no field '${found.key}'${best ? `. Did you mean '${best}'?` : ''}`,
      `Read one of ${found.known.join(', ') || '(none declared)'}${produced.task ? `, or declare '${found.key}' in the outputSchema of task '${produced.task}'` : ''}.`,
    );
  }

  /** The step a `tasks.<id>` reference from `node` (or from the workflow output) reaches. */
  visibleStep(node: StepNode | undefined, id: string): { kind: 'found'; node: StepNode } | { kind: 'self' | 'enclosing' | 'missing' } {
    if (!node) {
      const hit = this.top.find((s) => s.id === id);
      return hit ? { kind: 'found', node: hit } : { kind: 'missing' };
    }
    if (node.id === id) return { kind: 'self' };
    for (let a = node.parent; a; a = a.parent) if (a.id === id) return { kind: 'enclosing' };
    for (let level: StepNode | undefined = node; level; level = level.parent) {
      const hit = level.siblings.find((s) => s.id === id);
      if (hit) return { kind: 'found', node: hit };
    }
    return { kind: 'missing' };
  }

  private visibleIds(node: StepNode | undefined): string[] {
    const lists = [] as StepNode[][];
    if (!node) lists.push(this.top);
    for (let level = node; level; level = level.parent) lists.push(level.siblings);
    return lists.flat().flatMap((s) => (s.id !== undefined && s !== node ? [s.id] : []));
  }

  /**
   * What `tasks.<id>.output` of a step holds, as a JSON Schema, when it is known: a task's
   * outputSchema; `{ results: [...] }` for a forEach; the nested steps' outputs by id for a group.
   * Switch and workflowRef steps are open (their output depends on the branch or the child).
   */
  stepOutput(node: StepNode): ProducedSchema | undefined {
    const body = this.bodyOutput(node);
    if (!isObject(node.step.forEach)) return body;
    return {
      schema: { type: 'object', properties: { results: { type: 'array', items: body?.schema ?? {} } }, additionalProperties: false },
      origin: `the output of forEach step '${node.id}'`,
      task: body?.task,
    };
  }

  /** What `tasks.<id>.forEach` of a forEach step holds (the engine's loop summary). */
  private loopSummary(node: StepNode): ProducedSchema {
    const item = this.bodyOutput(node)?.schema ?? {};
    const count = { type: 'integer' };
    const error = { type: 'object', properties: { index: count, type: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } }, additionalProperties: false };
    return {
      schema: {
        type: 'object',
        properties: { outputs: { type: 'array', items: item }, itemCount: count, successCount: count, failureCount: count, skippedCount: count, errors: { type: 'array', items: error } },
        additionalProperties: false,
      },
      origin: `the forEach summary of step '${node.id}'`,
    };
  }

  /** The output of one run of a step's body (one item of a forEach). */
  private bodyOutput(node: StepNode): ProducedSchema | undefined {
    const s = node.step;
    if (s.switch !== undefined || s.workflowRef !== undefined) return undefined;
    if (typeof s.taskRef === 'string') {
      const schema = taskOutputSchema(this.ctx.task(s.taskRef, this.namespace));
      return schema ? { schema, origin: `the outputSchema of task '${s.taskRef}'`, task: s.taskRef } : undefined;
    }
    if (s.tasks === undefined || node.children.length === 0) return undefined;
    const properties: Record<string, JsonSchema> = {};
    for (const child of node.children) if (child.id !== undefined) properties[child.id] = this.stepOutput(child)?.schema ?? {};
    return { schema: { type: 'object', properties, additionalProperties: false }, origin: `the output of group step '${node.id}' (its nested steps by id)` };
  }

  /** The JSON Schema of the value a whole-template path yields, when one is declared. */
  private producedSchema(node: StepNode, path: TemplatePath): { schema: JsonSchema; origin: string } | undefined {
    if (path.root === 'input') {
      const found = schemaAt(this.inputSchema, path.segments);
      return found.kind === 'found' ? { schema: found.schema, origin: 'the workflow input' } : undefined;
    }
    const [id, field, ...rest] = path.segments;
    if (path.root !== 'tasks' || typeof id !== 'string' || (field !== 'output' && field !== 'forEach')) return undefined;
    const lookup = this.visibleStep(node, id);
    if (lookup.kind !== 'found') return undefined;
    if (field === 'forEach' && !isObject(lookup.node.step.forEach)) return undefined;
    const produced = field === 'output' ? this.stepOutput(lookup.node) : this.loopSummary(lookup.node);
    if (!produced) return undefined;
    const found = schemaAt(produced.schema, rest);
    return found.kind === 'found' ? { schema: found.schema, origin: produced.origin } : undefined;
  }

  /** The input contract of a step's target (taskRef or workflowRef), checked against its input. */
  private checkInputs(node: StepNode): void {
    const { step } = node;
    const entries = inputEntries({ value: step.input, pointer: `${node.pointer}/input` });
    if (typeof step.taskRef === 'string') {
      const task = this.ctx.task(step.taskRef, this.namespace);
      if (task) this.checkInputContract(node, entries, { label: `task '${step.taskRef}'`, schema: taskInputSchema(task) }, isObject(step.input) ? `${node.pointer}/input` : `${node.pointer}/taskRef`);
    }
    if (typeof step.workflowRef === 'string') {
      const wf = this.ctx.registry.workflow(targetName(step.workflowRef, this.namespace));
      if (wf) this.checkInputContract(node, entries, { label: `workflow '${step.workflowRef}'`, schema: isObject(wf.spec?.input) ? wf.spec.input : undefined }, isObject(step.input) ? `${node.pointer}/input` : `${node.pointer}/workflowRef`);
    }
  }

  /**
   * Required fields not given (error), fields the schema does not declare (warning), and values
   * passed straight from a typed field to a field of an incompatible type (error).
   */
  checkInputContract(node: StepNode, entries: InputEntry[], target: InputTarget, missingAt: string, owner = stepLabel(node)): void {
    const schema = target.schema;
    if (!schema) return;
    const given = new Set(entries.map((e) => e.key));
    const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
    for (const r of required) {
      if (given.has(r)) continue;
      this.findings.error(
        'WF_STEP_MISSING_INPUT',
        missingAt,
        `${owner} does not give ${target.label} its required input '${r}'`,
        `Add '${r}' to the step's input.`,
      );
    }
    for (const entry of entries) {
      const found = schemaAt(schema, [entry.key]);
      if (found.kind === 'missing') {
        const best = nearest(entry.key, found.known, 1)[0];
        this.findings.warning(
          'WF_STEP_UNKNOWN_INPUT',
          entry.pointer,
          `${owner} gives ${target.label} the input '${entry.key}', which its input schema does not declare${best ? `. Did you mean '${best}'?` : ''}`,
          `Remove it, fix the name, or declare it (declared: ${found.known.join(', ') || 'none'}).`,
          { key: true },
        );
        continue;
      }
      this.checkTypes(node, entry.value, entry.pointer, [entry.key], schema, target);
    }
  }

  private checkTypes(node: StepNode, value: unknown, pointer: string, at: Array<string | number>, schema: JsonSchema, target: InputTarget): void {
    if (Array.isArray(value)) {
      value.forEach((v, i) => this.checkTypes(node, v, `${pointer}/${i}`, [...at, i], schema, target));
      return;
    }
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) this.checkTypes(node, v, pointer + toPointer([k]), [...at, k], schema, target);
      return;
    }
    if (typeof value !== 'string') return;
    const t = this.strings.get(pointer);
    const path = wholePath(t);
    if (!t || !path) return;
    const consumed = schemaAt(schema, at);
    const wanted = consumed.kind === 'found' ? declaredTypes(consumed.schema) : undefined;
    if (!wanted) return;
    const produced = this.producedSchema(node, path);
    const got = produced ? declaredTypes(produced.schema) : undefined;
    if (!produced || !got) return;
    const fit = typeFit(got, wanted);
    if (fit === 'ok') return;
    const field = at.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.').replace(/\.\[/g, '[');
    const message = `${fieldLabel(node, pointer)} passes '${path.text}' (${got.join(' or ')} in ${produced.origin}) to ${target.label} input '${field}', which expects ${wanted.join(' or ')}`;
    const place = { text: t.text, offset: path.offset };
    if (fit === 'narrowing') this.findings.warning('WF_TYPE_NARROWING', pointer, message, 'A number with a fraction would fail the integer check; round it upstream or declare the field as number.', place);
    else this.findings.error('WF_TYPE_MISMATCH', pointer, message, `Pass a value of type ${wanted.join(' or ')}, or fix one of the schemas.`, place);
  }

  /** Cycles among one list of sibling steps (dependsOn plus tasks.X references, nested ones included). */
  private checkCycles(list: readonly StepNode[]): void {
    const withIds = list.filter((n) => n.id !== undefined);
    if (new Set(withIds.map((n) => n.id)).size !== withIds.length) return;
    const steps = withIds.map((n) => ({
      ...n.step,
      id: n.id!,
      dependsOn: Array.isArray(n.step.dependsOn) ? n.step.dependsOn.filter((d: unknown): d is string => typeof d === 'string') : [],
    }));
    const graph = buildGraph(steps as any);
    for (const cycle of graph.cycles) {
      if (cycle.length === 2 && cycle[0] === cycle[1]) continue; // dependsOn itself: reported per step
      const first = withIds.find((n) => n.id === cycle[0])!;
      const edge = this.edgePlace(first, cycle[1]);
      this.findings.error(
        'WF_CYCLE',
        edge.pointer,
        `Steps wait for each other in a cycle: ${cycle.join(' -> ')} (each waits for the next)`,
        'Remove one dependsOn or tasks.<id> reference of the cycle; references create dependencies too.',
        edge.place,
      );
    }
  }

  /** Where a step says it waits for another: its dependsOn entry, else the first template that reads it. */
  private edgePlace(node: StepNode, to: string): { pointer: string; place?: { text: string; offset: number } } {
    const deps = Array.isArray(node.step.dependsOn) ? node.step.dependsOn : [];
    const i = deps.indexOf(to);
    if (i >= 0) return { pointer: `${node.pointer}/dependsOn/${i}` };
    for (const n of flatten([node])) {
      const use = templateUses(n.strings).find((u) => u.path.root === 'tasks' && u.path.segments[0] === to);
      if (use) return { pointer: use.string.pointer, place: { text: use.string.text, offset: use.path.offset } };
    }
    return { pointer: `${node.pointer}/id` };
  }

  private checkOutput(): void {
    if (this.spec.output === undefined) return;
    this.checkTemplates(undefined, scanTemplates(this.spec.output, '/spec/output'));
  }

  private notSupportedYet(pointer: string, owner: string, field: string): void {
    this.findings.warning(
      'WF_NOT_SUPPORTED_YET',
      pointer,
      `${owner} sets '${field}', which this engine version loads but does not act on yet`,
      `'${field}' is a roadmap feature; it is kept in the definition but has no effect until the engine supports it.`,
      { key: true },
    );
  }
}

/** A JSON Schema for a value a step produces, with words for messages. */
export interface ProducedSchema {
  schema: JsonSchema;
  /** `the outputSchema of task 'get-user'`. */
  origin: string;
  /** The task whose outputSchema it comes from, when one does. */
  task?: string;
}

/** One field of a step's input, with its pointer. */
export interface InputEntry {
  key: string;
  value: unknown;
  pointer: string;
}

/** The fields of input maps with their pointers; a later map overrides an earlier one field by field. */
export function inputEntries(...sources: Array<{ value: unknown; pointer: string }>): InputEntry[] {
  const out = new Map<string, InputEntry>();
  for (const { value, pointer } of sources) {
    if (!isObject(value)) continue;
    for (const [key, v] of Object.entries(value)) out.set(key, { key, value: v, pointer: pointer + toPointer([key]) });
  }
  return [...out.values()];
}

/** `ns/name` of a workflowRef seen from `namespace`, without its version. */
export function targetName(ref: string, namespace: string): string {
  const parts = parseWorkflowRef(ref);
  return `${parts.namespace ?? namespace}/${parts.name}`;
}
