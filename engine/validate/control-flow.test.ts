import { describe, expect, it } from 'vitest';
import { validateText, type ValidateOptions } from './index.js';

const TASKS = `
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: work }
spec: { type: http, http: { url: "https://api.example.com/work" } }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: charge }
spec:
  type: http
  http: { url: "https://pay.example.com/charge" }
  inputSchema:
    type: object
    required: [amount]
    properties: { amount: { type: number } }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: refund }
spec:
  input:
    type: object
    required: [orderId]
    properties: { orderId: { type: string } }
  tasks:
    - id: r
      taskRef: work
`;

/** Validates one workflow `w` (its spec given as YAML, indented by 2) next to the tasks above. */
function validate(spec: string, options: ValidateOptions = {}) {
  const text = `apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w }\nspec:\n${spec}\n---${TASKS}`;
  return validateText(text, 'w.yaml', options).diagnostics.filter((d) => d.resource === 'Workflow/default/w');
}

function found(spec: string, options: ValidateOptions = {}) {
  return validate(spec, options).map((d) => ({ code: d.code, severity: d.severity, pointer: d.pointer, message: d.message }));
}

describe('validateConditions', () => {
  it('reports a condition that does not parse at its column, with the parser hint', () => {
    const spec = `
  tasks:
    - id: c
      taskRef: work
      condition: { if: "1 == == 2" }`;
    expect(validate(spec).map((d) => [d.code, d.pointer, d.line, d.column, d.message, d.hint])).toEqual([
      ['WF_CONDITION_SYNTAX', '/spec/tasks/0/condition/if', 9, 30, "Step 'c' condition.if: Expected a value but found '=='", 'A value is a template, a quoted string, a number, true, false or null.'],
    ]);
  });

  it('checks a condition without templates and accepts one that parses', () => {
    const spec = `
  tasks:
    - id: ok
      taskRef: work
      condition: { if: "1 < 2 && true" }`;
    expect(found(spec)).toEqual([]);
  });

  it('reports a template syntax error in a condition once, as a template error', () => {
    const spec = `
  tasks:
    - id: c
      taskRef: work
      condition: { if: "{{ input.a > }} == 1" }`;
    expect(found(spec).map((d) => d.code)).toEqual(['WF_TEMPLATE_SYNTAX']);
  });

  it('checks the templates of a condition once, with the step label of the condition field', () => {
    const spec = `
  tasks:
    - id: c
      taskRef: work
      condition: { if: "{{ inptu.a }} == 1" }`;
    expect(found(spec)).toEqual([
      {
        code: 'WF_TEMPLATE_UNKNOWN_ROOT',
        severity: 'error',
        pointer: '/spec/tasks/0/condition/if',
        message: "Step 'c' condition.if reads 'inptu.a'; 'inptu' is not something templates can read. Did you mean 'input'?",
      },
    ]);
  });

  it('skips the condition grammar for an empty condition.if or one that is not text', () => {
    const spec = `
  tasks:
    - id: blank
      taskRef: work
      condition: { if: "   " }
    - id: number
      taskRef: work
      condition: { if: 4 }`;
    expect(found(spec).filter((d) => d.code === 'WF_CONDITION_SYNTAX')).toEqual([]);
  });
});

describe('checkSwitch', () => {
  it('treats matches that are equal as lowercase text as duplicates, booleans included', () => {
    const spec = `
  tasks:
    - id: s
      switch:
        value: "{{ input.v }}"
        cases:
          - { match: true, taskRef: work }
          - { match: "TRUE", taskRef: work }
          - { match: [1], taskRef: work }
          - { match: [1], taskRef: work }
          - 7
          - { match: 2.5, taskRef: work }
          - { match: "2.5", taskRef: work }
        default: { taskRef: work }`;
    const d = validate(spec).filter((x) => x.code.startsWith('WF_SWITCH'));
    expect(d.map((x) => [x.code, x.pointer, x.message])).toEqual([
      ['WF_SWITCH_DUPLICATE_MATCH', '/spec/tasks/0/switch/cases/1/match', `Step 's' switch case 2 matches "TRUE" like case 1 (true); the first match wins, so this case never runs`],
      ['WF_SWITCH_DUPLICATE_MATCH', '/spec/tasks/0/switch/cases/6/match', `Step 's' switch case 7 matches "2.5" like case 6 (2.5); the first match wins, so this case never runs`],
    ]);
    expect(d[0].hint).toBe('Remove the duplicate case or change its match value (matches compare as text, ignoring case).');
  });

  it('compares a later duplicate with the first case of that value', () => {
    const spec = `
  tasks:
    - id: s
      switch:
        value: "{{ input.v }}"
        cases:
          - { match: a, taskRef: work }
          - { match: b, taskRef: work }
          - { match: A, taskRef: work }
          - { match: a, taskRef: work }
        default: { taskRef: work }`;
    expect(found(spec).map((d) => d.message)).toEqual([
      `Step 's' switch case 3 matches "A" like case 1 ("a"); the first match wins, so this case never runs`,
      `Step 's' switch case 4 matches "a" like case 1 ("a"); the first match wins, so this case never runs`,
    ]);
  });

  it('warns at the switch key when there is no default, and says nothing of a default that is not a map', () => {
    const spec = `
  tasks:
    - id: s
      switch:
        value: "{{ input.v }}"
        cases: [{ match: a, taskRef: work }]
    - id: odd-default
      switch:
        value: "{{ input.v }}"
        cases: [{ match: a, taskRef: work }]
        default: 3`;
    const d = validate(spec).filter((x) => x.code.startsWith('WF_SWITCH'));
    expect(d.map((x) => [x.code, x.severity, x.pointer, x.line, x.column, x.message, x.hint])).toEqual([
      [
        'WF_SWITCH_NO_DEFAULT',
        'warning',
        '/spec/tasks/0/switch',
        8,
        7,
        "Step 's' switch has no default: a value that matches no case fails the step",
        'Add default: with a taskRef or workflowRef that handles unexpected values.',
      ],
    ]);
  });

  it('requires exactly one target per case and for the default', () => {
    const spec = `
  tasks:
    - id: s
      switch:
        value: "{{ input.v }}"
        cases:
          - { match: none }
          - { match: both, taskRef: work, workflowRef: refund, input: { orderId: "1" } }
        default: { input: { a: 1 } }`;
    const d = validate(spec);
    expect(d.map((x) => [x.code, x.pointer, x.message, x.hint])).toEqual([
      ['WF_SWITCH_CASE_TARGET', '/spec/tasks/0/switch/cases/0', "Step 's' switch case 1 runs nothing: it has no taskRef or workflowRef", 'Give each case exactly one taskRef or workflowRef.'],
      ['WF_SWITCH_CASE_TARGET', '/spec/tasks/0/switch/cases/1', "Step 's' switch case 2 has both taskRef and workflowRef", 'Give each case exactly one taskRef or workflowRef.'],
      ['WF_SWITCH_CASE_TARGET', '/spec/tasks/0/switch/default', "Step 's' switch default runs nothing: it has no taskRef or workflowRef", 'Give each case exactly one taskRef or workflowRef.'],
    ]);
  });

  it('resolves the task and workflow of every case and of the default', () => {
    const spec = `
  tasks:
    - id: s
      switch:
        value: "{{ input.v }}"
        cases:
          - { match: a, taskRef: wrk }
          - { match: b, workflowRef: refnd }
        default: { workflowRef: "{{ input.flow }}" }`;
    expect(found(spec).map((d) => [d.code, d.pointer, d.message])).toEqual([
      ['WF_UNKNOWN_TASK', '/spec/tasks/0/switch/cases/0/taskRef', "Step 's' switch case 1 uses task 'wrk', which does not exist in namespace 'default'. Did you mean 'work'?"],
      ['WF_UNKNOWN_WORKFLOW', '/spec/tasks/0/switch/cases/1/workflowRef', "Step 's' switch case 2 calls workflow 'refnd', which does not exist in namespace 'default'. Did you mean 'refund'?"],
      ['WF_WORKFLOW_REF_DYNAMIC', '/spec/tasks/0/switch/default/workflowRef', "Step 's' switch default chooses its workflow at run time ('{{ input.flow }}'), so its existence, cycles and call depth are only checked when it runs"],
    ]);
  });

  it("checks a case's own input against its task, or else the step's input, or else reports at the target", () => {
    const spec = `
  tasks:
    - id: own
      input: { amount: 1 }
      switch:
        value: "{{ input.v }}"
        cases:
          - { match: a, taskRef: charge, input: { amont: 2 } }
        default: { taskRef: charge }
    - id: none
      switch:
        value: "{{ input.v }}"
        cases:
          - { match: a, taskRef: charge }
          - { match: b, workflowRef: refund }
        default: { taskRef: work }`;
    expect(found(spec).map((d) => [d.code, d.pointer, d.message])).toEqual([
      ['WF_STEP_MISSING_INPUT', '/spec/tasks/0/switch/cases/0/input', "Step 'own' switch case 1 does not give task 'charge' its required input 'amount'"],
      ['WF_STEP_UNKNOWN_INPUT', '/spec/tasks/0/switch/cases/0/input/amont', "Step 'own' switch case 1 gives task 'charge' the input 'amont', which its input schema does not declare. Did you mean 'amount'?"],
      ['WF_STEP_MISSING_INPUT', '/spec/tasks/1/switch/cases/0/taskRef', "Step 'none' switch case 1 does not give task 'charge' its required input 'amount'"],
      ['WF_STEP_MISSING_INPUT', '/spec/tasks/1/switch/cases/1/workflowRef', "Step 'none' switch case 2 does not give workflow 'refund' its required input 'orderId'"],
    ]);
  });

  it("reports a missing input at the step's input when the case relies on it", () => {
    const spec = `
  tasks:
    - id: s
      input: { other: 1 }
      switch:
        value: "{{ input.v }}"
        cases:
          - { match: b, workflowRef: refund }
        default: { taskRef: work }`;
    expect(found(spec).map((d) => [d.code, d.pointer])).toEqual([
      ['WF_STEP_MISSING_INPUT', '/spec/tasks/0/input'],
      ['WF_STEP_UNKNOWN_INPUT', '/spec/tasks/0/input/other'],
    ]);
  });

  it('checks the types a case passes to its workflow', () => {
    const spec = `
  input:
    type: object
    properties: { n: { type: integer } }
  tasks:
    - id: s
      switch:
        value: "{{ input.n }}"
        cases:
          - { match: 1, workflowRef: refund, input: { orderId: "{{ input.n }}" } }
        default: { taskRef: work }`;
    expect(found(spec).map((d) => [d.code, d.pointer, d.message])).toEqual([
      ['WF_TYPE_MISMATCH', '/spec/tasks/0/switch/cases/0/input/orderId', "Step 's' switch.cases[0].input.orderId passes 'input.n' (integer in the workflow input) to workflow 'refund' input 'orderId', which expects string"],
    ]);
  });

  it('ignores empty refs and a switch that is not a map', () => {
    const spec = `
  tasks:
    - id: s
      switch:
        value: "{{ input.v }}"
        cases: [{ match: a, taskRef: "" }, { match: b, workflowRef: "" }]
        default: { taskRef: work }
    - id: t
      switch: [1]`;
    expect(found(spec).filter((d) => d.code.startsWith('WF_SWITCH') || d.code.startsWith('WF_UNKNOWN') || d.code === 'WF_STEP_MISSING_INPUT')).toEqual([]);
  });
});

describe('checkForEach', () => {
  it('suggests a template for plain-text items, input.items when the text is blank', () => {
    const spec = `
  tasks:
    - id: text
      forEach: { items: " input.orders " }
      taskRef: work
    - id: blank
      forEach: { items: "  " }
      taskRef: work`;
    expect(validate(spec).map((d) => [d.code, d.pointer, d.message, d.hint])).toEqual([
      ['WF_FOREACH_ITEMS', '/spec/tasks/0/forEach/items', "Step 'text' forEach.items ' input.orders ' is plain text, not a template or a list", 'Write a template that yields a list, e.g. items: "{{ input.orders }}", or a YAML list.'],
      ['WF_FOREACH_ITEMS', '/spec/tasks/1/forEach/items', "Step 'blank' forEach.items '  ' is plain text, not a template or a list", 'Write a template that yields a list, e.g. items: "{{ input.items }}", or a YAML list.'],
    ]);
  });

  it('accepts items that are exactly one template, and leaves broken templates to the syntax check', () => {
    const spec = `
  input: { type: object, properties: { xs: { type: array } } }
  tasks:
    - id: whole
      forEach: { items: "{{ input.xs }}" }
      taskRef: work
    - id: broken
      forEach: { items: "a {{ input.xs" }
      taskRef: work`;
    expect(found(spec).map((d) => d.code)).toEqual(['WF_TEMPLATE_SYNTAX']);
  });

  it('rejects reserved and non-identifier loop variable names, with the rule in the hint', () => {
    const spec = `
  tasks:
    - id: a
      forEach: { items: [1], itemVar: $root, indexVar: i-1 }
      taskRef: work
    - id: b
      forEach: { items: [1], itemVar: _ok, indexVar: n2 }
      taskRef: work
    - id: c
      forEach: { items: [1], itemVar: 5 }
      taskRef: work`;
    const d = validate(spec).filter((x) => x.code === 'WF_FOREACH_VAR_NAME');
    expect(d.map((x) => [x.pointer, x.message, x.hint])).toEqual([
      ['/spec/tasks/0/forEach/itemVar', "Step 'a' forEach.itemVar '$root' is a reserved name", "Use a name of letters, digits and '_' that does not start with a digit and is not index, $parent, $root."],
      ['/spec/tasks/0/forEach/indexVar', "Step 'a' forEach.indexVar 'i-1' is not an identifier", "Use a name of letters, digits and '_' that does not start with a digit and is not index, $parent, $root."],
    ]);
  });

  it.each(['x y', 'a.b', '9a', ''])('rejects %j as a variable name', (name) => {
    const spec = `
  tasks:
    - id: a
      forEach: { items: [1], itemVar: ${JSON.stringify(name)} }
      taskRef: work`;
    expect(found(spec).filter((x) => x.code === 'WF_FOREACH_VAR_NAME').map((x) => x.message)).toEqual([`Step 'a' forEach.itemVar '${name}' is not an identifier`]);
  });

  it('reports an index variable named like the item variable at indexVar, once', () => {
    const spec = `
  tasks:
    - id: a
      forEach: { items: [1], itemVar: x, indexVar: x }
      taskRef: work
    - id: b
      forEach: { items: [1] }
      taskRef: work`;
    expect(validate(spec).map((d) => [d.code, d.pointer, d.message, d.hint])).toEqual([
      ['WF_FOREACH_VAR_NAME', '/spec/tasks/0/forEach/indexVar', "Step 'a' forEach uses 'x' for both itemVar and indexVar", 'Give the index its own name.'],
    ]);
  });
});

describe('checkNesting', () => {
  const nested = (depth: number, ids = true): string => {
    let yaml = '';
    for (let i = 0; i < depth; i++) {
      const pad = ' '.repeat(4 + i * 4);
      yaml += `${pad}- ${ids ? `id: l${i}\n${pad}  ` : ''}forEach: { items: [1] }\n${pad}  ${i === depth - 1 ? 'taskRef: work' : 'tasks:'}\n`;
    }
    return `  tasks:\n${yaml}`;
  };

  it('allows loops exactly as deep as the limit and reports one more at the first loop past it', () => {
    expect(found(nested(3))).toEqual([]);
    expect(found(nested(2), { maxNestingDepth: 2 })).toEqual([]);
    const d = validate(nested(3), { maxNestingDepth: 2 });
    expect(d.map((x) => [x.code, x.pointer, x.message, x.hint])).toEqual([
      [
        'WF_NESTING_TOO_DEEP',
        '/spec/tasks/0/tasks/0/tasks/0/id',
        'forEach loops nest 3 deep, more than the maximum of 2: l0 > l1 > l2',
        'Flatten the loops (for example, move the inner loop into a sub-workflow) or raise maxNestingDepth.',
      ],
    ]);
  });

  it('reports the deepest chain once, at its first loop past the limit, and points at a loop without id itself', () => {
    expect(found(nested(4, false), { maxNestingDepth: 1 }).filter((d) => d.code === 'WF_NESTING_TOO_DEEP')).toEqual([
      {
        code: 'WF_NESTING_TOO_DEEP',
        severity: 'error',
        pointer: '/spec/tasks/0/tasks/0',
        message: 'forEach loops nest 4 deep, more than the maximum of 1: spec.tasks[0] > spec.tasks[0].tasks[0] > spec.tasks[0].tasks[0].tasks[0] > spec.tasks[0].tasks[0].tasks[0].tasks[0]',
      },
    ]);
  });

  it('picks the first of two equally deep chains', () => {
    const spec = `
  tasks:
    - id: a
      forEach: { items: [1] }
      tasks:
        - id: a2
          forEach: { items: [1] }
          taskRef: work
    - id: b
      forEach: { items: [1] }
      tasks:
        - id: b2
          forEach: { items: [1] }
          taskRef: work`;
    expect(found(spec, { maxNestingDepth: 1 }).map((d) => [d.pointer, d.message])).toEqual([['/spec/tasks/0/tasks/0/id', 'forEach loops nest 2 deep, more than the maximum of 1: a > a2']]);
  });
});
