import { describe, expect, it } from 'vitest';
import { loadText } from '../load/index.js';
import { DefinitionRegistry } from '../load/registry.js';
import { compileRegistry, CompileError, DEFAULT_MAX_NESTING_DEPTH } from './compile.js';
import { parseOrigins } from './http.js';

const options = { origins: parseOrigins(['http://api=http://127.0.0.1:1']), defaultTimeoutMs: 30_000 };
const TASK = `apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: t }
spec:
  type: http
  inputSchema: { type: object, properties: { id: { type: string } } }
  timeout: 2s
  retry: { maxAttempts: 4, backoff: 50ms }
  http: { method: post, url: "http://api/x/{{input.id}}" }
---
`;

function compile(yaml: string) {
  return compileRegistry(new DefinitionRegistry(loadText(yaml, 'c.yaml').resources), options);
}

describe('compileRegistry', () => {
  it('compiles a task once: origin through the aliases, method, timeout, input schema, version', () => {
    const { tasks, errors } = compile(TASK);
    expect(errors).toEqual([]);
    const t = tasks.get('default/t')!;
    expect(t).toMatchObject({ key: 'default/t', name: 't', namespace: 'default', type: 'http', timeoutMs: 2000 });
    expect(t.http).toMatchObject({ origin: 'http://127.0.0.1:1', method: 'POST', bodyKind: 'none' });
    expect(t.validateInput!({ id: 'a' })).toBe(true);
    expect(t.validateInput!({ id: 1 })).toBe(false);
    expect(t.version).toMatch(/^[0-9a-f]{64}$/);
  });

  it('merges the step retry over the task retry and defaults the workflow timeout', () => {
    const { workflows } = compile(`${TASK}apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: w }
spec:
  tasks:
    - { id: a, taskRef: t, retry: { maxAttempts: 2 } }
    - { id: b, taskRef: t, dependsOn: [a], timeout: 1s }
`);
    const w = workflows.get('default/w')!;
    expect(w.timeoutMs).toBe(30_000);
    const [a, b] = w.group.steps;
    expect(a.body).toMatchObject({ kind: 'task', retry: { maxAttempts: 2, backoffMs: 50 } });
    expect(b).toMatchObject({ deps: [0], timeoutMs: 1000 });
    expect(a.dependents).toEqual([1]);
    expect(w.group.roots).toEqual([0]);
  });

  it.each([
    ['an unknown task', `apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w }\nspec: { tasks: [ { id: a, taskRef: nope } ] }\n`, 'WF_UNKNOWN_TASK', /task 'nope'/],
    ['a step with nothing to run', `apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w }\nspec: { tasks: [ { id: a } ] }\n`, 'WF_STEP_NO_ACTION', /nothing to run/],
    ['a cycle', `${TASK}apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w }\nspec: { tasks: [ { id: a, taskRef: t, dependsOn: [b] }, { id: b, taskRef: t, dependsOn: [a] } ] }\n`, 'WF_CYCLE', /a -> b -> a/],
    ['a malformed condition', `${TASK}apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w }\nspec: { tasks: [ { id: a, taskRef: t, condition: { if: "{{input.x}} ==" } } ] }\n`, 'WF_CONDITION_SYNTAX', /step 'a'/],
    ['an http task without http', `apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: h }\nspec: { type: http }\n`, 'WF_TASK_NO_HTTP', /no http block/],
    ['a transform task without an expression', `apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: x }\nspec: { type: transform }\n`, 'WF_TASK_NO_TRANSFORM', /transform.expression/],
    ['a template in the host', `apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: h }\nspec: { type: http, http: { url: "http://{{input.h}}/x" } }\n`, 'WF_TASK_URL', /scheme or host/],
    ['a template syntax error', `${TASK}apiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: w }\nspec: { tasks: [ { id: a, taskRef: t, input: { id: "{{input.id" } } ] }\n`, 'WF_TEMPLATE_SYNTAX', /Unclosed/],
  ])('returns %s as a compile error, not a throw', (_what, yaml, code, message) => {
    const { errors } = compile(yaml);
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe(code);
    expect(errors[0].message).toMatch(message);
    expect(errors[0].resource).toMatch(/^(Workflow|WorkflowTask)\/default\//);
  });

  it('compiles a transform task to a JSONata evaluator', async () => {
    const { tasks } = compile(`apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: sum }\nspec: { type: transform, transform: { expression: "$sum(n)" } }\n`);
    expect(await tasks.get('default/sum')!.transform!.evaluate({ n: [1, 2, 3] })).toBe(6);
  });

  it('lowercases switch matches and keeps their labels', () => {
    const { workflows } = compile(`${TASK}apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: w }
spec:
  tasks:
    - id: s
      switch: { value: "{{input.k}}", cases: [ { match: Stripe, taskRef: t }, { match: 2, taskRef: t } ], default: { taskRef: t } }
`);
    const body = workflows.get('default/w')!.group.steps[0].body as any;
    expect(body.cases.map((c: any) => [c.match, c.label])).toEqual([['stripe', 'Stripe'], ['2', '2']]);
    expect(body.fallback.kind).toBe('task');
  });
});

const WF = (tasks: string, extra = '') => `apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: w }
spec:
${extra}  tasks:
${tasks}
`;

function only(yaml: string) {
  const { errors } = compile(yaml);
  expect(errors).toHaveLength(1);
  return errors[0];
}

describe('compile errors say where', () => {
  it('points an unknown task at the taskRef of its step', () => {
    expect(only(WF('    - { id: a, taskRef: nope }'))).toMatchObject({
      code: 'WF_UNKNOWN_TASK',
      message: "step 'a' uses task 'nope', which is not loaded or does not compile",
      hint: 'Define the WorkflowTask or fix its name.',
      resource: 'Workflow/default/w',
      pointer: '/spec/tasks/0/taskRef',
    });
  });

  it('points a step with nothing to run at the step', () => {
    expect(only(`${TASK}${WF('    - { id: a, taskRef: t }\n    - { id: b }')}`)).toMatchObject({
      code: 'WF_STEP_NO_ACTION',
      message: "step 'b' has nothing to run",
      hint: 'Give it a taskRef, a workflowRef, a switch or nested tasks.',
      pointer: '/spec/tasks/1',
    });
  });

  it('points a cycle at the group it is in, nested groups included', () => {
    expect(only(`${TASK}${WF('    - { id: a, taskRef: t, dependsOn: [b] }\n    - { id: b, taskRef: t, dependsOn: [a] }')}`)).toMatchObject({ code: 'WF_CYCLE', pointer: '/spec/tasks', hint: 'Remove one of the dependencies.' });
    expect(only(`${TASK}${WF('    - id: g\n      tasks: [ { id: x, taskRef: t, dependsOn: [y] }, { id: y, taskRef: t, dependsOn: [x] } ]')}`)).toMatchObject({ code: 'WF_CYCLE', pointer: '/spec/tasks/0/tasks', message: 'Dependency cycle: x -> y -> x' });
  });

  it('points a malformed condition at its if, naming the step', () => {
    const e = only(`${TASK}${WF('    - { id: a, taskRef: t }\n    - { id: b, taskRef: t, condition: { if: "{{input.x}} ==" } }')}`);
    expect(e.pointer).toBe('/spec/tasks/1/condition/if');
    expect(e.message).toMatch(/^step 'b': /);
    expect(e.hint).not.toBe('');
  });

  it('points an unknown task in a switch case or default at that case', () => {
    const sw = (cases: string, dflt: string) => `${TASK}${WF(`    - id: s\n      switch: { value: "{{input.k}}", cases: [ ${cases} ], default: ${dflt} }`)}`;
    expect(only(sw('{ match: a, taskRef: t }, { match: b, taskRef: nope }', '{ taskRef: t }'))).toMatchObject({ pointer: '/spec/tasks/0/switch/cases/1/taskRef', message: expect.stringMatching(/^step 's' case 'b' uses task 'nope'/) });
    expect(only(sw('{ match: a, taskRef: t }', '{ taskRef: nope }'))).toMatchObject({ pointer: '/spec/tasks/0/switch/default/taskRef', message: expect.stringMatching(/^step 's' default uses task 'nope'/) });
  });

  it('points a nesting that is too deep at the innermost loop, listing the loops', () => {
    const loops = `    - id: l1
      forEach: { items: [1] }
      tasks:
        - id: l2
          forEach: { items: [1] }
          tasks:
            - id: l3
              forEach: { items: [1] }
              tasks:
                - id: l4
                  forEach: { items: [1] }
                  taskRef: t`;
    const e = only(`${TASK}${WF(loops)}`);
    expect(e).toMatchObject({
      code: 'WF_NESTING_TOO_DEEP',
      message: 'forEach loops nest 4 deep, more than the maximum of 3: l1 > l2 > l3 > l4',
      hint: 'Move the inner loop into a sub-workflow (workflowRef) or raise the maximum nesting depth.',
      pointer: '/spec/tasks/0/tasks/0/tasks/0/tasks/0',
    });
    expect(compileRegistry(new DefinitionRegistry(loadText(`${TASK}${WF(loops)}`, 'c.yaml').resources), { ...options, maxNestingDepth: 4 }).errors).toEqual([]);
  });

  it('points a task without its http or transform block at the missing block', () => {
    expect(only(`apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: h }\nspec: { type: http }\n`)).toMatchObject({ resource: 'WorkflowTask/default/h', pointer: '/spec/http', hint: 'Add http: {method, url}.', message: "task 'h' has type http but no http block" });
    expect(only(`apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: x }\nspec: { type: transform }\n`)).toMatchObject({ pointer: '/spec/transform', hint: 'Add transform: {expression: "…"} (JSONata).', message: "task 'x' has type transform but no transform.expression" });
  });

  it('keeps the code and hint of an error raised by a part compiler, with an empty pointer', () => {
    expect(only(`apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: h }\nspec: { type: http, http: { url: "/x" } }\n`)).toMatchObject({ code: 'WF_TASK_URL', hint: 'Write the full URL, e.g. http://orders-api/orders/{{input.id}}.', pointer: '', resource: 'WorkflowTask/default/h' });
  });

  it('gives an error without a hint the advice to run weft validate', () => {
    const e = only(`apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: x }\nspec: { type: transform, transform: { expression: "$sum(" } }\n`);
    expect(e).toMatchObject({ code: 'WF_TRANSFORM_SYNTAX', hint: 'Run `weft validate` for positions.', pointer: '', resource: 'WorkflowTask/default/x' });
    expect(e).toBeInstanceOf(CompileError);
    expect(e.name).toBe('CompileError');
  });

  it('still compiles the other definitions', () => {
    const { tasks, workflows, errors } = compile(`${TASK}${WF('    - { id: a, taskRef: nope }')}---\napiVersion: workflow.io/v1\nkind: Workflow\nmetadata: { name: ok }\nspec: { tasks: [ { id: a, taskRef: t } ] }\n`);
    expect(errors.map((e) => e.resource)).toEqual(['Workflow/default/w']);
    expect([...tasks.keys()]).toEqual(['default/t']);
    expect([...workflows.keys()]).toEqual(['default/ok']);
  });
});

describe('compiled steps', () => {
  it('resolves a task in another namespace by ns/name and keeps a workflowRef as a template', () => {
    const other = `apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: t, namespace: team }\nspec: { type: http, http: { url: "http://api/team" } }\n---\n`;
    const { workflows, errors } = compile(`${TASK}${other}${WF('    - { id: a, taskRef: team/t }\n    - { id: b, workflowRef: "child-{{input.v}}", input: { x: 1 } }')}`);
    expect(errors).toEqual([]);
    const [a, b] = workflows.get('default/w')!.group.steps;
    expect((a.body as any).task.key).toBe('team/t');
    expect(b.body).toMatchObject({ kind: 'workflow', namespace: 'default' });
    expect((b.body as any).ref.resolve({ input: { v: 2 }, tasks: {} })).toBe('child-2');
    expect((b.body as any).input.resolve({ input: {}, tasks: {} })).toEqual({ x: 1 });
  });

  it('gives a step without input an empty input', () => {
    const w = compile(`${TASK}${WF('    - { id: a, taskRef: t }')}`).workflows.get('default/w')!;
    expect((w.group.steps[0].body as any).input.resolve({ input: {}, tasks: {} })).toEqual({});
  });

  it('gives switch cases without input the step input, and keeps their own otherwise', () => {
    const w = compile(`${TASK}${WF('    - id: s\n      input: { from: step }\n      switch: { value: x, cases: [ { match: a, taskRef: t }, { match: b, taskRef: t, input: { from: case } } ], default: { taskRef: t } }')}`).workflows.get('default/w')!;
    const body = w.group.steps[0].body as any;
    const scope = { input: {}, tasks: {} };
    expect(body.cases.map((c: any) => c.body.input.resolve(scope))).toEqual([{ from: 'step' }, { from: 'case' }]);
    expect(body.fallback.input.resolve(scope)).toEqual({ from: 'step' });
    expect(body.value.resolve(scope)).toBe('x');
  });

  it('leaves a switch without default without fallback', () => {
    const w = compile(`${TASK}${WF('    - id: s\n      switch: { value: x, cases: [ { match: a, taskRef: t } ] }')}`).workflows.get('default/w')!;
    expect((w.group.steps[0].body as any).fallback).toBeUndefined();
  });

  it('compiles nested tasks as a group with its own indexes and roots', () => {
    const w = compile(`${TASK}${WF('    - id: g\n      tasks:\n        - { id: x, taskRef: t }\n        - { id: y, taskRef: t, dependsOn: [x] }\n        - { id: z, taskRef: t }')}`).workflows.get('default/w')!;
    const body = w.group.steps[0].body as any;
    expect(body.kind).toBe('group');
    expect(body.group.steps.map((s: any) => [s.id, s.index, s.deps, s.dependents])).toEqual([
      ['x', 0, [], [1]],
      ['y', 1, [0], []],
      ['z', 2, [], []],
    ]);
    expect(body.group.roots).toEqual([0, 2]);
  });

  it('compiles forEach with its defaults', () => {
    const w = compile(`${TASK}${WF('    - { id: e, forEach: { items: "{{input.xs}}" }, taskRef: t }')}`).workflows.get('default/w')!;
    const fe = w.group.steps[0].forEach!;
    expect(fe).toMatchObject({ itemVar: 'item', maxParallel: 0 });
    expect(fe.indexVar).toBeUndefined();
    expect(fe.toleratedFailureCount).toBeUndefined();
    expect(fe.toleratedFailurePercentage).toBeUndefined();
    expect(fe.items.resolve({ input: { xs: [1, 2] }, tasks: {} })).toEqual([1, 2]);
    expect(w.group.steps[0].conditionPerItem).toBeUndefined();
    expect(w.group.steps[0].timeoutMs).toBeUndefined();
  });

  it('compiles forEach with every option set', () => {
    const w = compile(`${TASK}${WF('    - { id: e, forEach: { items: [1], itemVar: o, indexVar: i, maxParallel: 2, toleratedFailureCount: 1, toleratedFailurePercentage: 50 }, taskRef: t }')}`).workflows.get('default/w')!;
    expect(w.group.steps[0].forEach).toMatchObject({ itemVar: 'o', indexVar: 'i', maxParallel: 2, toleratedFailureCount: 1, toleratedFailurePercentage: 50 });
  });

  it('marks a forEach condition that reads forEach.* as per item, and one that does not as a guard', () => {
    const w = compile(`${TASK}${WF('    - { id: p, forEach: { items: [1] }, taskRef: t, condition: { if: "{{forEach.item}} == 1" } }\n    - { id: g, forEach: { items: [1] }, taskRef: t, condition: { if: "{{input.on}} == true" } }\n    - { id: s, taskRef: t, condition: { if: "{{input.on}} == true" } }')}`).workflows.get('default/w')!;
    expect(w.group.steps.map((s) => s.conditionPerItem)).toEqual([true, false, undefined]);
    expect(w.group.steps[2].condition!.evaluate({ input: { on: true }, tasks: {} })).toBe(true);
  });
});

describe('compiled workflows and tasks', () => {
  it('accepts any object input when the workflow declares no schema, and nothing else', () => {
    const w = compile(`${TASK}${WF('    - { id: a, taskRef: t }')}`).workflows.get('default/w')!;
    expect(w.validateInput({ anything: 1 })).toBe(true);
    expect(w.validateInput('text')).toBe(false);
    expect(w.output).toBeUndefined();
  });

  it('takes the workflow timeout and output from the spec', () => {
    const w = compile(`${TASK}${WF('    - { id: a, taskRef: t }', '  timeout: 3s\n  output: { id: "{{tasks.a.output.id}}" }\n')}`).workflows.get('default/w')!;
    expect(w.timeoutMs).toBe(3000);
    expect(w.output!.resolve({ input: {}, tasks: { a: { output: { id: 9 } } } } as any)).toEqual({ id: 9 });
    expect(w).toMatchObject({ key: 'default/w', name: 'w', namespace: 'default' });
    expect(w.version).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps a falsy output such as false', () => {
    const w = compile(`${TASK}${WF('    - { id: a, taskRef: t }', '  output: false\n')}`).workflows.get('default/w')!;
    expect(w.output!.resolve({ input: {}, tasks: {} })).toBe(false);
  });

  it('skips an empty input schema and shares the validator of identical schemas', () => {
    const twin = TASK.replace('name: t }', 'name: t2 }');
    const { tasks } = compile(`${TASK}${twin}apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: free }\nspec: { type: http, inputSchema: {}, http: { url: "http://api/" } }\n`);
    expect(tasks.get('default/free')!.validateInput).toBeUndefined();
    expect(tasks.get('default/t2')!.validateInput).toBe(tasks.get('default/t')!.validateInput);
  });

  it('leaves a task without timeout without one', () => {
    const { tasks } = compile(`apiVersion: workflow.io/v1\nkind: WorkflowTask\nmetadata: { name: free }\nspec: { type: http, http: { url: "http://api/" } }\n`);
    expect(tasks.get('default/free')!.timeoutMs).toBeUndefined();
    expect(tasks.get('default/free')!.validateInput).toBeUndefined();
  });

  it('exports the default nesting depth', () => {
    expect(DEFAULT_MAX_NESTING_DEPTH).toBe(3);
  });
});
