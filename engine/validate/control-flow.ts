import { isObject } from './context.js';
import { parseCondition, ConditionSyntaxError } from '../expr/condition.js';
import { FOREACH_BUILTINS, loopChain, stepLabel, fieldLabel, type StepNode } from './steps.js';
import { inputEntries, type WorkflowCheck } from './workflow.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The rules for `condition.if`: the condition parses in the condition language of engine/expr
 * (an error at its exact column), and the `{{ }}` templates inside it are checked like any other
 * template (syntax, roots, steps, fields, forEach scope). A template syntax error is reported once,
 * as a template error.
 */
export function validateConditions(check: WorkflowCheck, node: StepNode): void {
  const condition = node.step.condition;
  if (condition === undefined) return;
  const prefix = `${node.pointer}/condition/`;
  const strings = node.strings.filter((s) => s.pointer.startsWith(prefix));
  check.checkTemplates(node, strings);
  if (!isObject(condition) || typeof condition.if !== 'string' || !condition.if.trim()) return;
  const pointer = `${node.pointer}/condition/if`;
  if (strings.some((s) => s.pointer === pointer && s.error)) return;
  try {
    parseCondition(condition.if);
  } catch (err) {
    if (!(err instanceof ConditionSyntaxError)) throw err;
    check.findings.error('WF_CONDITION_SYNTAX', pointer, `${fieldLabel(node, pointer)}: ${err.message}`, err.hint || 'Operators: == != > < >= <= && || ! ( ).', {
      text: condition.if,
      offset: err.offset,
    });
  }
}

/**
 * Switch rules: match values are unique (compared as lowercase text, as the engine matches), every
 * case and the default run exactly one existing task or workflow whose input contract is met (a
 * case without input gets the step's input), and a switch without default is a warning (an
 * unmatched value fails the step).
 */
export function checkSwitch(check: WorkflowCheck, node: StepNode): void {
  const sw = node.step.switch;
  if (!isObject(sw)) return;
  const pointer = `${node.pointer}/switch`;
  const seen = new Map<string, { index: number; match: unknown }>();
  const cases: unknown[] = Array.isArray(sw.cases) ? sw.cases : [];
  cases.forEach((c, i) => {
    if (!isObject(c)) return;
    const at = `${pointer}/cases/${i}`;
    const match = c.match;
    if (typeof match === 'string' || typeof match === 'number' || typeof match === 'boolean') {
      // The engine compares the switch value and the matches as lowercase text: 1 and "1" are one match.
      const key = String(match).toLowerCase();
      const first = seen.get(key);
      if (first) {
        check.findings.error(
          'WF_SWITCH_DUPLICATE_MATCH',
          `${at}/match`,
          `${stepLabel(node)} switch case ${i + 1} matches ${JSON.stringify(match)} like case ${first.index + 1} (${JSON.stringify(first.match)}); the first match wins, so this case never runs`,
          'Remove the duplicate case or change its match value (matches compare as text, ignoring case).',
        );
      } else seen.set(key, { index: i, match });
    }
    checkCaseTarget(check, node, c, at, `${stepLabel(node)} switch case ${i + 1}`);
  });
  if (sw.default === undefined) {
    check.findings.warning(
      'WF_SWITCH_NO_DEFAULT',
      pointer,
      `${stepLabel(node)} switch has no default: a value that matches no case fails the step`,
      'Add default: with a taskRef or workflowRef that handles unexpected values.',
      { key: true },
    );
  } else if (isObject(sw.default)) {
    checkCaseTarget(check, node, sw.default, `${pointer}/default`, `${stepLabel(node)} switch default`);
  }
}

function checkCaseTarget(check: WorkflowCheck, node: StepNode, c: Record<string, any>, at: string, owner: string): void {
  const targets = (['taskRef', 'workflowRef'] as const).filter((k) => c[k] !== undefined);
  if (targets.length !== 1) {
    check.findings.error(
      'WF_SWITCH_CASE_TARGET',
      at,
      targets.length ? `${owner} has both taskRef and workflowRef` : `${owner} runs nothing: it has no taskRef or workflowRef`,
      'Give each case exactly one taskRef or workflowRef.',
    );
  }
  // A case without its own input receives the step's input.
  const entries = c.input !== undefined ? inputEntries({ value: c.input, pointer: `${at}/input` }) : inputEntries({ value: node.step.input, pointer: `${node.pointer}/input` });
  const inputAt = isObject(c.input) ? `${at}/input` : c.input === undefined && isObject(node.step.input) ? `${node.pointer}/input` : undefined;
  if (typeof c.taskRef === 'string' && c.taskRef) {
    const task = check.resolveTask(c.taskRef, `${at}/taskRef`, owner);
    if (task) check.checkInputContract(node, entries, { label: `task '${c.taskRef}'`, schema: isObject(task.spec?.inputSchema) ? task.spec.inputSchema : undefined }, inputAt ?? `${at}/taskRef`, owner);
  }
  if (typeof c.workflowRef === 'string' && c.workflowRef) {
    const wf = check.resolveWorkflow(node, c.workflowRef, `${at}/workflowRef`, owner);
    if (wf) check.checkInputContract(node, entries, { label: `workflow '${c.workflowRef}'`, schema: isObject(wf.spec?.input) ? wf.spec.input : undefined }, inputAt ?? `${at}/workflowRef`, owner);
  }
}

/**
 * forEach rules: `items` is a list or exactly one template (text around a template makes a
 * string), `itemVar`/`indexVar` are identifiers other than the reserved names and differ.
 * `maxParallel >= 0` and `toleratedFailurePercentage` in 0..100 are enforced by the schema.
 */
export function checkForEach(check: WorkflowCheck, node: StepNode): void {
  const loop = node.step.forEach;
  if (!isObject(loop)) return;
  const pointer = `${node.pointer}/forEach`;
  const items = loop.items;
  if (typeof items === 'string') {
    const t = node.strings.find((s) => s.pointer === `${pointer}/items`);
    if (!items.includes('{{')) {
      check.findings.error(
        'WF_FOREACH_ITEMS',
        `${pointer}/items`,
        `${stepLabel(node)} forEach.items '${items}' is plain text, not a template or a list`,
        `Write a template that yields a list, e.g. items: "{{ ${items.trim() || 'input.items'} }}", or a YAML list.`,
      );
    } else if (t?.parsed && !t.parsed.whole) {
      check.findings.error(
        'WF_FOREACH_ITEMS',
        `${pointer}/items`,
        `${stepLabel(node)} forEach.items '${items}' has text around its template, so it yields a string, not a list`,
        'Make items exactly one template, e.g. "{{ input.orders }}".',
      );
    }
  }
  for (const field of ['itemVar', 'indexVar'] as const) {
    const name = loop[field];
    if (typeof name !== 'string') continue;
    const reserved = (FOREACH_BUILTINS as readonly string[]).includes(name);
    if (IDENTIFIER.test(name) && !reserved) continue;
    check.findings.error(
      'WF_FOREACH_VAR_NAME',
      `${pointer}/${field}`,
      `${stepLabel(node)} forEach.${field} '${name}' ${reserved ? 'is a reserved name' : 'is not an identifier'}`,
      `Use a name of letters, digits and '_' that does not start with a digit and is not ${FOREACH_BUILTINS.join(', ')}.`,
    );
  }
  if (typeof loop.itemVar === 'string' && loop.itemVar === loop.indexVar) {
    check.findings.error('WF_FOREACH_VAR_NAME', `${pointer}/indexVar`, `${stepLabel(node)} forEach uses '${loop.itemVar}' for both itemVar and indexVar`, 'Give the index its own name.');
  }
}

/**
 * forEach nesting (loops inside nested tasks inside loops…) deeper than `maxNestingDepth`: one
 * error per workflow, at the first loop past the limit on the deepest chain (its id), printing the chain.
 */
export function checkNesting(check: WorkflowCheck, nodes: readonly StepNode[]): void {
  const max = check.ctx.maxNestingDepth;
  let deepest: StepNode | undefined;
  for (const n of nodes) if (n.depth > max && (!deepest || n.depth > deepest.depth)) deepest = n;
  if (!deepest) return;
  let over = deepest;
  for (let n: StepNode | undefined = deepest; n; n = n.parent) if (n.depth === max + 1 && isObject(n.step.forEach)) over = n;
  check.findings.error(
    'WF_NESTING_TOO_DEEP',
    over.id !== undefined ? `${over.pointer}/id` : over.pointer,
    `forEach loops nest ${deepest.depth} deep, more than the maximum of ${max}: ${loopChain(deepest).join(' > ')}`,
    'Flatten the loops (for example, move the inner loop into a sub-workflow) or raise maxNestingDepth.',
  );
}
