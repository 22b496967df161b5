import { describe, expect, it } from 'vitest';
import { validateText, type ValidateOptions } from './index.js';
import { inputEntries, targetName } from './workflow.js';

const TASKS = `
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: work }
spec: { type: http, http: { url: "https://api.example.com/work" } }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: get-user }
spec:
  type: http
  http: { url: "https://api.example.com/users" }
  inputSchema:
    type: object
    required: [id]
    properties: { id: { type: string }, limit: { type: integer }, tags: { type: array, items: { type: string } }, meta: { type: object, properties: { n: { type: integer } } } }
  outputSchema:
    type: object
    properties: { name: { type: string }, age: { type: integer }, score: { type: number }, orders: { type: array, items: { type: object, properties: { total: { type: number } } } } }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: bare-output }
spec:
  type: http
  http: { url: "https://api.example.com/bare" }
  outputSchema: { type: object, properties: {} }
---
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: send, namespace: ops }
spec: { type: http, http: { url: "https://api.example.com/send" } }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: child }
spec:
  input:
    type: object
    required: [userId]
    properties: { userId: { type: string } }
  tasks:
    - id: c
      taskRef: work
`;

/** Validates workflow `w` (its spec as YAML, indented by 2, starting on line 5) next to the tasks above. */
function validate(spec: string, options: ValidateOptions = {}, name = 'w') {
  const text = `apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: ${name} }\nspec:${spec}\n---${TASKS}`;
  return validateText(text, 'w.yaml', options).diagnostics.filter((d) => d.resource === `Workflow/default/${name}`);
}

function found(spec: string, options: ValidateOptions = {}) {
  return validate(spec, options).map((d) => [d.code, d.pointer, d.message]);
}

describe('step ids', () => {
  it('reports a reused id anywhere in the workflow at the later step, naming the line of the first', () => {
    const spec = `
  tasks:
    - id: a
      taskRef: work
    - id: g
      tasks:
        - id: a
          taskRef: work
        - id: a
          taskRef: work`;
    expect(validate(spec).map((d) => [d.code, d.pointer, d.message, d.hint])).toEqual([
      ['WF_STEP_DUPLICATE_ID', '/spec/tasks/1/tasks/0/id', "Step id 'a' is used twice in workflow 'w'; first at line 6", 'Give every step, nested steps included, its own id: templates find steps by id.'],
      ['WF_STEP_DUPLICATE_ID', '/spec/tasks/1/tasks/1/id', "Step id 'a' is used twice in workflow 'w'; first at line 6", 'Give every step, nested steps included, its own id: templates find steps by id.'],
    ]);
  });
});

describe('step actions', () => {
  it('reports a step without action at the step and one with several at the second action', () => {
    const spec = `
  tasks:
    - id: idle
      dependsOn: []
    - id: busy
      tasks: [{ id: t, taskRef: work }]
      switch: { value: x, cases: [{ match: a, taskRef: work }], default: { taskRef: work } }
      taskRef: work`;
    expect(validate(spec).map((d) => [d.code, d.pointer, d.message, d.hint])).toEqual([
      ['WF_STEP_NO_ACTION', '/spec/tasks/0', "Step 'idle' does nothing: it has no taskRef, workflowRef, switch or tasks", 'Give the step exactly one of taskRef, workflowRef, switch or tasks.'],
      ['WF_STEP_CONFLICTING_ACTIONS', '/spec/tasks/1/switch', "Step 'busy' has both taskRef and switch and tasks; a step does exactly one thing", 'Keep one of them; use nested tasks: or a switch to combine several actions.'],
    ]);
  });
});

describe('task references', () => {
  it('names the namespace written in the ref and suggests a task of another namespace by its suffix', () => {
    const spec = `
  tasks:
    - id: a
      taskRef: ops/sned
    - id: b
      taskRef: send
    - id: c
      taskRef: zzzzzzzzzz`;
    expect(validate(spec).map((d) => [d.code, d.pointer, d.message, d.hint])).toEqual([
      ['WF_UNKNOWN_TASK', '/spec/tasks/0/taskRef', "Step 'a' uses task 'ops/sned', which does not exist in namespace 'ops'. Did you mean 'ops/send'?", 'Fix the name, or add the WorkflowTask to the definitions (a task in another namespace is written ns/name).'],
      ['WF_UNKNOWN_TASK', '/spec/tasks/1/taskRef', "Step 'b' uses task 'send', which does not exist in namespace 'default'. Did you mean 'ops/send'?", 'Fix the name, or add the WorkflowTask to the definitions (a task in another namespace is written ns/name).'],
      ['WF_UNKNOWN_TASK', '/spec/tasks/2/taskRef', "Step 'c' uses task 'zzzzzzzzzz', which does not exist in namespace 'default'", 'Fix the name, or add the WorkflowTask to the definitions (a task in another namespace is written ns/name).'],
    ]);
  });

  it('leaves an empty taskRef or workflowRef to the schema', () => {
    const spec = `
  tasks:
    - id: a
      taskRef: ""
    - id: b
      workflowRef: ""`;
    expect(validate(spec).filter((d) => d.code.startsWith('WF_UNKNOWN'))).toEqual([]);
  });
});

describe('workflow references', () => {
  it('checks only the templates of a workflowRef chosen at run time, with a hint to prefer literals', () => {
    const spec = `
  input: { type: object, properties: { mode: { type: string } } }
  tasks:
    - id: dyn
      workflowRef: "{{ input.flow }}"`;
    expect(validate(spec).map((d) => [d.code, d.severity, d.pointer, d.hint])).toEqual([
      ['WF_WORKFLOW_REF_DYNAMIC', 'info', '/spec/tasks/0/workflowRef', 'Prefer a literal workflowRef (or a switch over literal ones) so that validation can check the call.'],
      ['WF_TEMPLATE_UNKNOWN_INPUT', 'error', '/spec/tasks/0/workflowRef', 'Declare \'flow\' in spec.input, or fix the name.'],
    ]);
  });

  it('records the call under the step id, or the step path when it has none', () => {
    const text = `apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: a }\nspec:\n  tasks:\n    - workflowRef: a\n`;
    const d = validateText(text, 'a.yaml').diagnostics.filter((x) => x.code === 'WF_WORKFLOW_CYCLE');
    expect(d.map((x) => x.message)).toEqual(["Workflow 'a' calls itself through sub-workflows: a -> a (via step 'spec.tasks[0]')"]);
  });
});

describe('dependsOn', () => {
  it('reports a nested dependency with a hint to depend on the enclosing step', () => {
    const spec = `
  tasks:
    - id: top
      taskRef: work
      dependsOn: [inner, 5]
    - id: group
      tasks:
        - id: inner
          taskRef: work
          dependsOn: [top]
    - tasks:
        - id: orphan
          taskRef: work
          dependsOn: [top]
    - id: after
      taskRef: work
      dependsOn: [orphan]`;
    const d = validate(spec).filter((x) => x.code === 'WF_STEP_UNKNOWN_DEPENDENCY');
    expect(d.map((x) => [x.pointer, x.message, x.hint])).toEqual([
      ['/spec/tasks/0/dependsOn/0', "Step 'top' depends on 'inner', which is not in the same list of steps; dependsOn only orders sibling steps", "'inner' is nested inside 'group'; depend on that step instead."],
      ['/spec/tasks/1/tasks/0/dependsOn/0', "Step 'inner' depends on 'top', which is not in the same list of steps; dependsOn only orders sibling steps", "Put the dependency on the enclosing step 'group' instead."],
      ['/spec/tasks/2/tasks/0/dependsOn/0', "Step 'orphan' depends on 'top', which is not in the same list of steps; dependsOn only orders sibling steps", "Put the dependency on the enclosing step '?' instead."],
      ['/spec/tasks/3/dependsOn/0', "Step 'after' depends on 'orphan', which is not in the same list of steps; dependsOn only orders sibling steps", "'orphan' is nested inside '?'; depend on that step instead."],
    ]);
  });

  it('suggests a sibling id other than the step itself, and none when nothing is close', () => {
    const spec = `
  tasks:
    - id: fetch
      taskRef: work
    - id: fetcher
      taskRef: work
      dependsOn: [fetchr, zzzzzz]`;
    expect(validate(spec).map((d) => [d.code, d.message, d.hint])).toEqual([
      ['WF_STEP_UNKNOWN_DEPENDENCY', "Step 'fetcher' depends on 'fetchr', which is not a step of this workflow. Did you mean 'fetch'?", 'Name a step id from the same list of steps.'],
      ['WF_STEP_UNKNOWN_DEPENDENCY', "Step 'fetcher' depends on 'zzzzzz', which is not a step of this workflow", 'Name a step id from the same list of steps.'],
    ]);
  });

  it('reports a step that depends on itself with the entry to remove, not as a cycle', () => {
    const spec = `
  tasks:
    - id: a
      taskRef: work
      dependsOn: [a]`;
    expect(validate(spec).map((d) => [d.code, d.pointer, d.message, d.hint])).toEqual([['WF_STEP_SELF_DEPENDENCY', '/spec/tasks/0/dependsOn/0', "Step 'a' depends on itself", "Remove 'a' from its dependsOn."]]);
  });
});

describe('template references', () => {
  it('reports unknown inputs with a suggestion, and only the first missing key of a path', () => {
    const spec = `
  input: { type: object, properties: { user: { type: object, properties: { name: { type: string } } } } }
  tasks:
    - id: a
      taskRef: work
      input: { x: "{{ input.usr.name }}", y: "{{ input.user.nme }}", z: "{{ input.qqqqqq }}" }`;
    expect(validate(spec).map((d) => [d.code, d.column, d.message, d.hint])).toEqual([
      ['WF_TEMPLATE_UNKNOWN_INPUT', 23, "Step 'a' input.x reads 'input.usr.name', but the workflow input declares no 'usr'. Did you mean 'user'?", "Declare 'usr' in spec.input, or fix the name."],
      ['WF_TEMPLATE_UNKNOWN_INPUT', 50, "Step 'a' input.y reads 'input.user.nme', but the workflow input declares no 'nme'. Did you mean 'name'?", "Declare 'nme' in spec.input, or fix the name."],
      ['WF_TEMPLATE_UNKNOWN_INPUT', 77, "Step 'a' input.z reads 'input.qqqqqq', but the workflow input declares no 'qqqqqq'", "Declare 'qqqqqq' in spec.input, or fix the name."],
    ]);
  });

  it('reports forEach paths outside loops and unknown loop variables, with the hints', () => {
    const spec = `
  tasks:
    - id: out
      taskRef: work
      input: { a: "{{ forEach.item }}" }
    - id: loop
      forEach: { items: [1], itemVar: order }
      taskRef: work
      input: { a: "{{ forEach.ordr }}", b: "{{ forEach.zzzzzz }}", c: "{{ forEach.order }}", d: "{{ forEach.index }}", e: "{{ forEach }}" }`;
    expect(validate(spec).map((d) => [d.code, d.message, d.hint])).toEqual([
      [
        'WF_TEMPLATE_FOREACH_OUTSIDE',
        "Step 'out' input.a reads 'forEach.item' outside any forEach",
        'forEach.* is only set inside a step with forEach (and its nested steps); read the loop results as tasks.<id>.forEach.outputs.',
      ],
      ['WF_TEMPLATE_UNKNOWN_FOREACH_VAR', "Step 'loop' input.a reads 'forEach.ordr', but no enclosing forEach names a variable 'ordr'. Did you mean 'order'?", "Use the forEach's itemVar (default 'item'), its indexVar, or index."],
      ['WF_TEMPLATE_UNKNOWN_FOREACH_VAR', "Step 'loop' input.b reads 'forEach.zzzzzz', but no enclosing forEach names a variable 'zzzzzz'", "Use the forEach's itemVar (default 'item'), its indexVar, or index."],
    ]);
  });

  it("lets a loop's items read only the enclosing loops' variables", () => {
    const spec = `
  tasks:
    - id: outer
      forEach: { items: [1], itemVar: region }
      tasks:
        - id: inner
          forEach: { items: "{{ forEach.region.xs }}", itemVar: x }
          taskRef: work
          input: { a: "{{ forEach.x }}" }
        - id: self
          forEach: { items: "{{ forEach.y }}", itemVar: y }
          taskRef: work
    - id: top
      forEach: { items: "{{ forEach.item }}" }
      taskRef: work`;
    expect(found(spec)).toEqual([
      ['WF_TEMPLATE_UNKNOWN_FOREACH_VAR', '/spec/tasks/0/tasks/1/forEach/items', "Step 'self' forEach.items reads 'forEach.y', but no enclosing forEach names a variable 'y'"],
      ['WF_TEMPLATE_FOREACH_OUTSIDE', '/spec/tasks/1/forEach/items', "Step 'top' forEach.items reads 'forEach.item' outside any forEach"],
    ]);
  });

  it('accepts every template root and reports an unknown one with the list', () => {
    const spec = `
  tasks:
    - id: a
      taskRef: work
      input: { a: "{{ workflow.name }}", b: "{{ execution.id }}", c: "{{ secrets.k }}", d: "{{ tsaks.x }}", e: "{{ qqqqq.x }}" }`;
    expect(validate(spec).map((d) => [d.code, d.message, d.hint])).toEqual([
      ['WF_TEMPLATE_UNKNOWN_ROOT', "Step 'a' input.d reads 'tsaks.x'; 'tsaks' is not something templates can read. Did you mean 'tasks'?", 'Start the path with one of input, tasks, forEach, workflow, execution, secrets.'],
      ['WF_TEMPLATE_UNKNOWN_ROOT', "Step 'a' input.e reads 'qqqqq.x'; 'qqqqq' is not something templates can read", 'Start the path with one of input, tasks, forEach, workflow, execution, secrets.'],
    ]);
  });
});

describe('tasks.<id> references', () => {
  it('reads steps by id: a bare tasks is allowed, an index is not', () => {
    const spec = `
  tasks:
    - id: a
      taskRef: work
    - id: b
      taskRef: work
      input: { all: "{{ tasks }}", byIndex: "{{ tasks[0] }}", step: "{{ tasks.a }}" }`;
    expect(validate(spec).map((d) => [d.code, d.message, d.hint])).toEqual([
      ['WF_TEMPLATE_UNKNOWN_TASK', "Step 'b' input.byIndex reads 'tasks[0]'; steps are read by id, as tasks.<id>", 'Write tasks.<step id>.output.'],
    ]);
  });

  it('reports reading its own result and an enclosing step, with the hints', () => {
    const spec = `
  tasks:
    - id: g
      tasks:
        - id: a
          taskRef: work
          input: { own: "{{ tasks.a.status }}", parent: "{{ tasks.g.status }}" }`;
    expect(validate(spec).map((d) => [d.code, d.message, d.hint])).toEqual([
      ['WF_STEP_SELF_DEPENDENCY', "Step 'a' input.own reads its own step's result 'tasks.a.status'", 'A step cannot read its own output; read another step, or the forEach item.'],
      ['WF_STEP_SELF_DEPENDENCY', "Step 'a' input.parent reads 'tasks.g.status', but runs inside step 'g', which finishes only after it", "Read what 'g' was given instead (its input comes from other steps or input.*)."],
    ]);
  });

  it('explains how to read a step nested in a group or a loop from outside', () => {
    const spec = `
  tasks:
    - id: group
      tasks: [{ id: inGroup, taskRef: work }]
    - id: loop
      forEach: { items: [1] }
      tasks: [{ id: inLoop, taskRef: work }]
    - tasks: [{ id: inAnonymous, taskRef: work }]
    - id: reader
      taskRef: work
      input: { a: "{{ tasks.inGroup.output }}", b: "{{ tasks.inLoop.output }}", c: "{{ tasks.inAnonymous.output }}" }`;
    expect(validate(spec).filter((d) => d.code === 'WF_TEMPLATE_UNKNOWN_TASK').map((d) => [d.message, d.hint])).toEqual([
      ["Step 'reader' input.a reads 'tasks.inGroup.output', but step 'inGroup' is nested inside 'group' and is not visible here", "Read it through the group's output: tasks.group.output.inGroup."],
      ["Step 'reader' input.b reads 'tasks.inLoop.output', but step 'inLoop' is nested inside 'loop' and is not visible here", "Read the loop's results: tasks.loop.forEach.outputs."],
      ["Step 'reader' input.c reads 'tasks.inAnonymous.output', but step 'inAnonymous' is nested inside '?' and is not visible here", "Read it through the group's output: tasks.?.output.inAnonymous."],
    ]);
  });

  it('lets nested steps read siblings of every enclosing level, and suggests among the visible ids', () => {
    const spec = `
  tasks:
    - id: fetch
      taskRef: work
    - id: g
      tasks:
        - id: sibling
          taskRef: work
        - id: reader
          taskRef: work
          input: { a: "{{ tasks.fetch.status }}", b: "{{ tasks.sibling.status }}", c: "{{ tasks.fetsh.status }}", d: "{{ tasks.sibing.status }}", e: "{{ tasks.reder.status }}" }`;
    expect(validate(spec).map((d) => [d.code, d.message, d.hint])).toEqual([
      ['WF_TEMPLATE_UNKNOWN_TASK', "Step 'reader' input.c reads 'tasks.fetsh.status', but there is no step 'fetsh'. Did you mean 'fetch'?", 'Name a step id of this workflow.'],
      ['WF_TEMPLATE_UNKNOWN_TASK', "Step 'reader' input.d reads 'tasks.sibing.status', but there is no step 'sibing'. Did you mean 'sibling'?", 'Name a step id of this workflow.'],
      ['WF_TEMPLATE_UNKNOWN_TASK', "Step 'reader' input.e reads 'tasks.reder.status', but there is no step 'reder'", 'Name a step id of this workflow.'],
    ]);
  });

  it('reads only top-level steps from the workflow output', () => {
    const spec = `
  tasks:
    - id: g
      tasks: [{ id: inner, taskRef: work }]
  output: { a: "{{ tasks.g.status }}", b: "{{ tasks.gg.status }}", c: "{{ tasks.inner.status }}" }`;
    expect(found(spec)).toEqual([
      ['WF_TEMPLATE_UNKNOWN_TASK', '/spec/output/b', "Workflow 'w' output.b reads 'tasks.gg.status', but there is no step 'gg'. Did you mean 'g'?"],
      ['WF_TEMPLATE_UNKNOWN_TASK', '/spec/output/c', "Workflow 'w' output.c reads 'tasks.inner.status', but step 'inner' is nested inside 'g' and is not visible here"],
    ]);
  });

  it('allows output, status, forEach, error and reason after tasks.<id> and suggests one otherwise', () => {
    const spec = `
  tasks:
    - id: a
      forEach: { items: [1] }
      taskRef: work
    - id: b
      taskRef: work
      input: { o: "{{ tasks.a.output }}", s: "{{ tasks.a.status }}", f: "{{ tasks.a.forEach }}", e: "{{ tasks.a.error }}", r: "{{ tasks.a.reason }}", x: "{{ tasks.a.outptu }}", y: "{{ tasks.a.qqqqqqq }}", z: "{{ tasks.a[0] }}" }`;
    expect(validate(spec).map((d) => [d.code, d.message, d.hint])).toEqual([
      ['WF_TEMPLATE_UNKNOWN_STEP_FIELD', "Step 'b' input.x reads 'tasks.a.outptu'; a step has no 'outptu'. Did you mean 'output'?", 'After tasks.a use one of output, status, forEach, error, reason.'],
      ['WF_TEMPLATE_UNKNOWN_STEP_FIELD', "Step 'b' input.y reads 'tasks.a.qqqqqqq'; a step has no 'qqqqqqq'", 'After tasks.a use one of output, status, forEach, error, reason.'],
      ['WF_TEMPLATE_UNKNOWN_STEP_FIELD', "Step 'b' input.z reads 'tasks.a[0]'; a step has no '0'", 'After tasks.a use one of output, status, forEach, error, reason.'],
    ]);
  });

  it('reports tasks.<id>.forEach of a step without forEach', () => {
    const spec = `
  tasks:
    - id: a
      taskRef: work
    - id: b
      taskRef: work
      input: { x: "{{ tasks.a.forEach.outputs }}" }`;
    expect(validate(spec).map((d) => [d.code, d.message, d.hint])).toEqual([['WF_TEMPLATE_NOT_FOREACH', "Step 'b' input.x reads 'tasks.a.forEach.outputs', but step 'a' has no forEach", 'Read tasks.a.output instead.']]);
  });
});

describe('output fields read through tasks.<id>', () => {
  it("checks a task's output fields, with a hint to declare the missing one", () => {
    const spec = `
  tasks:
    - id: u
      taskRef: get-user
      input: { id: x }
    - id: b
      taskRef: work
      input: { ok: "{{ tasks.u.output.orders[0].total }}", bad: "{{ tasks.u.output.nme }}", none: "{{ tasks.bare.output.x }}" }
    - id: bare
      taskRef: bare-output`;
    expect(validate(spec).map((d) => [d.code, d.message, d.hint])).toEqual([
      ['WF_TEMPLATE_UNKNOWN_OUTPUT', "Step 'b' input.bad reads 'tasks.u.output.nme', but the outputSchema of task 'get-user' has no field 'nme'. Did you mean 'name'?", "Read one of name, age, score, orders, or declare 'nme' in the outputSchema of task 'get-user'."],
      ['WF_TEMPLATE_UNKNOWN_OUTPUT', "Step 'b' input.none reads 'tasks.bare.output.x', but the outputSchema of task 'bare-output' has no field 'x'", "Read one of (none declared), or declare 'x' in the outputSchema of task 'bare-output'."],
    ]);
  });

  it('knows the output of a forEach, its summary and a group, and leaves switch and sub-workflow outputs open', () => {
    const spec = `
  tasks:
    - id: loop
      forEach: { items: [1] }
      taskRef: get-user
      input: { id: x }
    - id: group
      tasks:
        - { id: u, taskRef: get-user, input: { id: x } }
        - { id: open, taskRef: work }
        - { taskRef: work }
    - id: sw
      switch: { value: x, cases: [{ match: a, taskRef: work }], default: { taskRef: work } }
    - id: sub
      workflowRef: child
      input: { userId: x }
    - id: loopGroup
      forEach: { items: [1] }
      tasks: [{ id: v, taskRef: get-user, input: { id: x } }]
    - id: emptyLoop
      forEach: { items: [1] }
      tasks: []
    - id: r
      taskRef: work
      input:
        a: "{{ tasks.loop.output.results[0].age }}"
        b: "{{ tasks.loop.output.results[0].agee }}"
        c: "{{ tasks.loop.forEach.outputs[0].nam }}"
        d: "{{ tasks.loop.forEach.errors[0].mesage }}"
        e: "{{ tasks.loop.forEach.itemCount }}"
        f: "{{ tasks.group.output.u.nme }}"
        g: "{{ tasks.group.output.open.anything }}"
        h: "{{ tasks.group.output.nope }}"
        i: "{{ tasks.sw.output.anything }}"
        j: "{{ tasks.sub.output.anything }}"
        k: "{{ tasks.loopGroup.output.results[0].v.nme }}"
        l: "{{ tasks.emptyLoop.output.results[0].anything }}"
        m: "{{ tasks.emptyLoop.output.other }}"
        n: "{{ tasks.loop.forEach.successCount }}"`;
    expect(validate(spec).filter((d) => d.code === 'WF_TEMPLATE_UNKNOWN_OUTPUT').map((d) => [d.pointer, d.message, d.hint])).toEqual([
      ['/spec/tasks/6/input/b', "Step 'r' input.b reads 'tasks.loop.output.results[0].agee', but the output of forEach step 'loop' has no field 'agee'. Did you mean 'age'?", "Read one of name, age, score, orders, or declare 'agee' in the outputSchema of task 'get-user'."],
      ['/spec/tasks/6/input/c', "Step 'r' input.c reads 'tasks.loop.forEach.outputs[0].nam', but the forEach summary of step 'loop' has no field 'nam'. Did you mean 'name'?", 'Read one of name, age, score, orders.'],
      ['/spec/tasks/6/input/d', "Step 'r' input.d reads 'tasks.loop.forEach.errors[0].mesage', but the forEach summary of step 'loop' has no field 'mesage'. Did you mean 'message'?", 'Read one of index, type, code, message.'],
      ['/spec/tasks/6/input/f', "Step 'r' input.f reads 'tasks.group.output.u.nme', but the output of group step 'group' (its nested steps by id) has no field 'nme'. Did you mean 'name'?", 'Read one of name, age, score, orders.'],
      ['/spec/tasks/6/input/h', "Step 'r' input.h reads 'tasks.group.output.nope', but the output of group step 'group' (its nested steps by id) has no field 'nope'. Did you mean 'open'?", 'Read one of u, open.'],
      ['/spec/tasks/6/input/k', "Step 'r' input.k reads 'tasks.loopGroup.output.results[0].v.nme', but the output of forEach step 'loopGroup' has no field 'nme'. Did you mean 'name'?", 'Read one of name, age, score, orders.'],
      ['/spec/tasks/6/input/m', "Step 'r' input.m reads 'tasks.emptyLoop.output.other', but the output of forEach step 'emptyLoop' has no field 'other'", 'Read one of results.'],
    ]);
  });

  it('lists the whole forEach summary when a field is unknown', () => {
    const spec = `
  tasks:
    - id: loop
      forEach: { items: [1] }
      taskRef: work
    - id: r
      taskRef: work
      input: { a: "{{ tasks.loop.forEach.count }}" }`;
    expect(validate(spec).map((d) => d.hint)).toEqual(['Read one of outputs, itemCount, successCount, failureCount, skippedCount, errors.']);
  });
});

describe('input contracts', () => {
  it('reports missing required inputs at the input map, or at the ref when there is none', () => {
    const spec = `
  tasks:
    - id: none
      taskRef: get-user
    - id: partial
      taskRef: get-user
      input: { limit: 1 }
    - id: sub
      workflowRef: child
    - id: sub-partial
      workflowRef: child
      input: { other: 1 }`;
    expect(validate(spec).map((d) => [d.code, d.severity, d.pointer, d.message, d.hint])).toEqual([
      ['WF_STEP_MISSING_INPUT', 'error', '/spec/tasks/0/taskRef', "Step 'none' does not give task 'get-user' its required input 'id'", "Add 'id' to the step's input."],
      ['WF_STEP_MISSING_INPUT', 'error', '/spec/tasks/1/input', "Step 'partial' does not give task 'get-user' its required input 'id'", "Add 'id' to the step's input."],
      ['WF_STEP_MISSING_INPUT', 'error', '/spec/tasks/2/workflowRef', "Step 'sub' does not give workflow 'child' its required input 'userId'", "Add 'userId' to the step's input."],
      ['WF_STEP_MISSING_INPUT', 'error', '/spec/tasks/3/input', "Step 'sub-partial' does not give workflow 'child' its required input 'userId'", "Add 'userId' to the step's input."],
      ['WF_STEP_UNKNOWN_INPUT', 'warning', '/spec/tasks/3/input/other', "Step 'sub-partial' gives workflow 'child' the input 'other', which its input schema does not declare", 'Remove it, fix the name, or declare it (declared: userId).'],
    ]);
  });

  it('warns about undeclared inputs, listing none when the schema declares nothing, and skips tasks without a schema', () => {
    const text = `apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: w }
spec:
  tasks:
    - id: a
      workflowRef: empty
      input: { lmit: 1 }
    - id: b
      taskRef: work
      input: { anything: 1 }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: empty }
spec:
  input: { type: object, required: [5], properties: {} }
  tasks: [{ id: c, taskRef: work }]
---${TASKS}`;
    const d = validateText(text, 'w.yaml').diagnostics.filter((x) => x.resource === 'Workflow/default/w');
    expect(d.map((x) => [x.code, x.pointer, x.message, x.hint])).toEqual([
      ['WF_STEP_UNKNOWN_INPUT', '/spec/tasks/0/input/lmit', "Step 'a' gives workflow 'empty' the input 'lmit', which its input schema does not declare", 'Remove it, fix the name, or declare it (declared: none).'],
    ]);
  });

  it('checks a workflowRef seen from another namespace by its ns/name', () => {
    const text = `apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: w, namespace: ops }
spec:
  tasks:
    - id: a
      workflowRef: default/child@v1
---${TASKS}`;
    const d = validateText(text, 'w.yaml').diagnostics.filter((x) => x.code === 'WF_STEP_MISSING_INPUT');
    expect(d.map((x) => x.message)).toEqual(["Step 'a' does not give workflow 'default/child@v1' its required input 'userId'"]);
  });
});

describe('type checks of passed values', () => {
  it('compares a whole-template value with the type the target expects, through lists and maps', () => {
    const spec = `
  input: { type: object, properties: { n: { type: integer }, ratio: { type: number }, s: { type: string }, list: { type: array } } }
  tasks:
    - id: u
      taskRef: get-user
      input: { id: "{{ input.s }}" }
    - id: b
      taskRef: get-user
      input:
        id: "{{ tasks.u.output.age }}"
        limit: "{{ tasks.u.output.score }}"
        tags: ["{{ input.n }}", "{{ input.s }}", "{{ input.n }} items"]
        meta: { n: "{{ input.s }}" }`;
    expect(validate(spec).map((d) => [d.code, d.pointer, d.column, d.message, d.hint])).toEqual([
      [
        'WF_TYPE_MISMATCH',
        '/spec/tasks/1/input/id',
        17,
        "Step 'b' input.id passes 'tasks.u.output.age' (integer in the outputSchema of task 'get-user') to task 'get-user' input 'id', which expects string",
        'Pass a value of type string, or fix one of the schemas.',
      ],
      [
        'WF_TYPE_NARROWING',
        '/spec/tasks/1/input/limit',
        20,
        "Step 'b' input.limit passes 'tasks.u.output.score' (number in the outputSchema of task 'get-user') to task 'get-user' input 'limit', which expects integer",
        'A number with a fraction would fail the integer check; round it upstream or declare the field as number.',
      ],
      ['WF_TYPE_MISMATCH', '/spec/tasks/1/input/tags/0', 20, "Step 'b' input.tags[0] passes 'input.n' (integer in the workflow input) to task 'get-user' input 'tags[0]', which expects string", 'Pass a value of type string, or fix one of the schemas.'],
      ['WF_TYPE_MISMATCH', '/spec/tasks/1/input/meta/n', 24, "Step 'b' input.meta.n passes 'input.s' (string in the workflow input) to task 'get-user' input 'meta.n', which expects integer", 'Pass a value of type integer, or fix one of the schemas.'],
    ]);
  });

  it('reads the produced type through forEach results, loop summaries and groups', () => {
    const spec = `
  tasks:
    - id: loop
      forEach: { items: [1] }
      taskRef: get-user
      input: { id: x }
    - id: group
      tasks: [{ id: u, taskRef: get-user, input: { id: x } }]
    - id: b
      taskRef: get-user
      input:
        id: "{{ tasks.loop.forEach.itemCount }}"
        limit: "{{ tasks.loop.output.results[0].name }}"
        tags: ["{{ tasks.group.output.u.age }}", "{{ tasks.loop.forEach.outputs[0].age }}"]`;
    expect(validate(spec).map((d) => [d.code, d.message])).toEqual([
      ['WF_TYPE_MISMATCH', "Step 'b' input.id passes 'tasks.loop.forEach.itemCount' (integer in the forEach summary of step 'loop') to task 'get-user' input 'id', which expects string"],
      ['WF_TYPE_MISMATCH', "Step 'b' input.limit passes 'tasks.loop.output.results[0].name' (string in the output of forEach step 'loop') to task 'get-user' input 'limit', which expects integer"],
      ['WF_TYPE_MISMATCH', "Step 'b' input.tags[0] passes 'tasks.group.output.u.age' (integer in the output of group step 'group' (its nested steps by id)) to task 'get-user' input 'tags[0]', which expects string"],
      ['WF_TYPE_MISMATCH', "Step 'b' input.tags[1] passes 'tasks.loop.forEach.outputs[0].age' (integer in the forEach summary of step 'loop') to task 'get-user' input 'tags[1]', which expects string"],
    ]);
  });

  it('skips values whose produced or expected type is unknown or unreachable', () => {
    const spec = `
  input: { type: object, properties: { n: { type: integer }, any: {} } }
  tasks:
    - id: plain
      taskRef: work
    - id: b
      taskRef: get-user
      input:
        id: "{{ input.any }}"
        limit: "{{ tasks.plain.output.x }}"
        tags: ["{{ tasks.plain.status }}", "{{ tasks.nope.output }}", "{{ tasks.plain.forEach.outputs }}", "{{ workflow.name }}", "{{ input.n ?? 'x' }}", 5]
        meta: { other: "{{ input.n }}" }`;
    expect(validate(spec).filter((d) => d.code.startsWith('WF_TYPE'))).toEqual([]);
  });
});

describe('cycles between steps', () => {
  it('reports a cycle at the dependsOn entry or the template that closes it, with its column', () => {
    const spec = `
  tasks:
    - id: a
      taskRef: work
      dependsOn: [b]
    - id: b
      taskRef: work
      input: { x: "v={{ tasks.a.status }}" }`;
    expect(validate(spec).map((d) => [d.code, d.pointer, d.line, d.column, d.message, d.hint])).toEqual([
      ['WF_CYCLE', '/spec/tasks/0/dependsOn/0', 8, 19, 'Steps wait for each other in a cycle: a -> b -> a (each waits for the next)', 'Remove one dependsOn or tasks.<id> reference of the cycle; references create dependencies too.'],
    ]);
    const reversed = `
  tasks:
    - id: b
      taskRef: work
      input: { x: "v={{ tasks.a.status }}" }
    - id: a
      taskRef: work
      dependsOn: [b]`;
    expect(validate(reversed).map((d) => [d.code, d.pointer, d.line, d.column])).toEqual([['WF_CYCLE', '/spec/tasks/0/input/x', 8, 25]]);
  });

  it('finds the reading template inside nested steps, and cycles inside a group', () => {
    const spec = `
  tasks:
    - id: a
      tasks:
        - id: inner
          taskRef: work
          input: { x: "{{ tasks.b.status }}" }
    - id: b
      taskRef: work
      dependsOn: [a]
    - id: g
      tasks:
        - { id: c, taskRef: work, dependsOn: [d] }
        - { id: d, taskRef: work, dependsOn: [c] }`;
    expect(found(spec)).toEqual([
      ['WF_CYCLE', '/spec/tasks/0/tasks/0/input/x', 'Steps wait for each other in a cycle: a -> b -> a (each waits for the next)'],
      ['WF_CYCLE', '/spec/tasks/2/tasks/0/dependsOn/0', 'Steps wait for each other in a cycle: c -> d -> c (each waits for the next)'],
    ]);
  });

  it('skips the cycle check of a list with duplicate ids, and ignores non-string dependsOn entries', () => {
    const spec = `
  tasks:
    - { id: a, taskRef: work, dependsOn: [b] }
    - { id: b, taskRef: work, dependsOn: [a] }
    - { id: b, taskRef: work }
    - { id: c, taskRef: work, dependsOn: [7] }`;
    expect(validate(spec).filter((d) => d.code === 'WF_CYCLE')).toEqual([]);
  });
});

describe('output mapping and roadmap fields', () => {
  it('checks output templates with the workflow label and without loop variables', () => {
    const spec = `
  input: { type: object, properties: { customer: { type: string } } }
  tasks: [{ id: a, taskRef: work }]
  output:
    x: "{{ forEach.item }}"
    list: ["{{ input.q }}"]`;
    expect(found(spec)).toEqual([
      ['WF_TEMPLATE_FOREACH_OUTSIDE', '/spec/output/x', "Workflow 'w' output.x reads 'forEach.item' outside any forEach"],
      ['WF_TEMPLATE_UNKNOWN_INPUT', '/spec/output/list/0', "Workflow 'w' output.list[0] reads 'input.q', but the workflow input declares no 'q'"],
    ]);
  });

  it('warns at the key of every roadmap field of the workflow and of its steps', () => {
    const spec = `
  dataRetention: { days: 3 }
  tasks:
    - id: a
      taskRef: work
      fallback: { taskRef: work }`;
    expect(validate(spec).map((d) => [d.code, d.severity, d.pointer, d.message, d.hint])).toEqual([
      ['WF_NOT_SUPPORTED_YET', 'warning', '/spec/dataRetention', "Workflow 'w' sets 'dataRetention', which this engine version loads but does not act on yet", "'dataRetention' is a roadmap feature; it is kept in the definition but has no effect until the engine supports it."],
      ['WF_NOT_SUPPORTED_YET', 'warning', '/spec/tasks/0/fallback', "Step 'a' sets 'fallback', which this engine version loads but does not act on yet", "'fallback' is a roadmap feature; it is kept in the definition but has no effect until the engine supports it."],
    ]);
  });

  it("validates the workflow's input schema as JSON Schema", () => {
    const spec = `
  input: { type: objekt }
  tasks: [{ id: a, taskRef: work }]`;
    expect(validate(spec).map((d) => d.code)).toContain('WF_JSON_SCHEMA_INVALID');
  });
});

describe('inputEntries', () => {
  it('lists the fields of input maps with escaped pointers, a later map overriding an earlier one', () => {
    expect(inputEntries({ value: { a: 1, 'x/y': 2 }, pointer: '/p' }, { value: 'not a map', pointer: '/q' }, { value: { a: 3 }, pointer: '/r' })).toEqual([
      { key: 'a', value: 3, pointer: '/r/a' },
      { key: 'x/y', value: 2, pointer: '/p/x~1y' },
    ]);
  });
});

describe('targetName', () => {
  it('qualifies a workflowRef with the namespace it is seen from and drops the version', () => {
    expect(targetName('invoice@v2', 'billing')).toBe('billing/invoice');
    expect(targetName('ops/notify', 'billing')).toBe('ops/notify');
  });
});

describe('fields of the wrong type', () => {
  const codes = (text: string) => validateText(`apiVersion: workflow.io/v1\nkind: Workflow\n${text}`, 'w.yaml').diagnostics.map((d) => [d.code, d.pointer]);

  it('leaves a spec that is not a map to the schema', () => {
    expect(codes('metadata: { name: w }\nspec: 3\n')).toEqual([['WF_SCHEMA_TYPE', '/spec']]);
    expect(codes('metadata: { name: w }\n')).toEqual([['WF_SCHEMA_REQUIRED', '']]);
  });

  it('leaves null forEach, condition and switch to the schema without failing a rule', () => {
    const text = 'metadata: { name: w }\nspec:\n  tasks:\n    - id: a\n      forEach: ~\n      condition: ~\n      switch: ~\n      taskRef: x\n';
    expect(codes(text)).toEqual([
      ['WF_SCHEMA_TYPE', '/spec/tasks/0/forEach'],
      ['WF_SCHEMA_TYPE', '/spec/tasks/0/condition'],
      ['WF_SCHEMA_TYPE', '/spec/tasks/0/switch'],
      ['WF_STEP_CONFLICTING_ACTIONS', '/spec/tasks/0/switch'],
      ['WF_UNKNOWN_TASK', '/spec/tasks/0/taskRef'],
    ]);
  });

  it("resolves task names in the workflow's own namespace", () => {
    const d = validateText('apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w, namespace: ops }\nspec:\n  tasks:\n    - id: a\n      taskRef: x\n', 'w.yaml').diagnostics;
    expect(d.map((x) => x.message)).toEqual(["Step 'a' uses task 'x', which does not exist in namespace 'ops'"]);
  });
});
