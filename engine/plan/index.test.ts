import { describe, expect, it } from 'vitest';
import { loadText } from '../load/index.js';
import { DefinitionRegistry } from '../load/registry.js';
import { resourceVersion } from '../model/canonical.js';
import { planWorkflow } from './index.js';

const YAML = `
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: get-user }
spec:
  type: http
  http: { method: GET, url: "http://users/users/{{input.id}}" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: diamond }
spec:
  input: { type: object, properties: { id: { type: string }, n: { type: integer, default: 3 } }, required: [id] }
  tasks:
    - { id: a, taskRef: get-user, input: { id: "{{input.id}}" } }
    - { id: b, taskRef: get-user, input: { id: "{{tasks.a.output.id}}" } }
    - { id: c, taskRef: get-user, dependsOn: [a], input: { id: "c-{{input.id}}" } }
    - { id: d, taskRef: get-user, dependsOn: [b, c], input: { id: "{{input.n}}" } }
    - id: each
      forEach: { items: "{{input.list ?? []}}", itemVar: x, maxParallel: 2 }
      tasks:
        - { id: inner, taskRef: get-user, input: { id: "{{forEach.x}}" } }
`;

function registry(): DefinitionRegistry {
  return new DefinitionRegistry(loadText(YAML, 'p.yaml').resources);
}

describe('planWorkflow', () => {
  it('groups steps that can run in parallel and finds the critical path', () => {
    const plan = planWorkflow(registry().workflow('diamond')!, registry(), { id: 'u1' });
    expect(plan.parallelGroups).toEqual([['a', 'each'], ['b', 'c'], ['d']]);
    expect(plan.criticalPath).toEqual(['a', 'b', 'd']);
    expect(plan.edges).toContainEqual({ from: 'a', to: 'b', via: 'template' });
    expect(plan.edges).toContainEqual({ from: 'a', to: 'c', via: 'dependsOn' });
  });

  it('previews inputs and URLs from the given input and leaves step outputs as templates', () => {
    const plan = planWorkflow(registry().workflow('diamond')!, registry(), { id: 'u1' });
    const byId = Object.fromEntries(plan.nodes.map((n) => [n.id, n]));
    expect(byId.a).toMatchObject({ input: { id: 'u1' }, url: 'http://users/users/u1', method: 'GET', unresolved: [] });
    expect(byId.b.input).toEqual({ id: '{{tasks.a.output.id}}' });
    expect(byId.b.unresolved).toEqual(['{{tasks.a.output.id}}']);
    expect(byId.c.input).toEqual({ id: 'c-u1' });
    expect(byId.d.input).toEqual({ id: 3 });
  });

  it('reports input errors without failing the plan', () => {
    const plan = planWorkflow(registry().workflow('diamond')!, registry(), {});
    expect(plan.inputValid).toBe(false);
    expect(plan.diagnostics.map((d) => d.pointer)).toEqual(['/input/id']);
  });

  it('shows nested steps as children with their depth and the forEach item count', () => {
    const plan = planWorkflow(registry().workflow('diamond')!, registry(), { id: 'u1', list: ['p', 'q'] });
    const each = plan.nodes.find((n) => n.id === 'each')!;
    expect(each.forEach).toEqual({ items: ['p', 'q'], itemVar: 'x', maxParallel: 2, itemCount: 2 });
    expect(each.children!.map((c) => [c.path, c.depth, c.input])).toEqual([['each.inner', 1, { id: 'p' }]]);
    expect(plan.maxDepth).toBe(1);
  });
});

describe('control flow in plans', () => {
  const yaml = `
apiVersion: workflow.io/v1
kind: WorkflowTask
metadata: { name: t }
spec: { type: http, http: { url: "http://h/x" } }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: cf }
spec:
  tasks:
    - id: filter
      forEach: { items: [1, 2], itemVar: n }
      condition: { if: "{{forEach.n}} > 1" }
      taskRef: t
    - id: guard
      forEach: { items: [1, 2], itemVar: n }
      condition: { if: "{{input.go ?? false}} == true" }
      taskRef: t
    - id: route
      switch: { value: "{{input.kind}}", cases: [{ match: a, taskRef: t }], default: { taskRef: t } }
`;
  const reg = new DefinitionRegistry(loadText(yaml, 'cf.yaml').resources);

  it('says whether a forEach condition filters items or guards the loop', () => {
    const plan = planWorkflow(reg.workflow('cf')!, reg, {});
    const byId = Object.fromEntries(plan.nodes.map((n) => [n.id, n]));
    expect(byId.filter.conditionScope).toBe('item');
    expect(byId.guard.conditionScope).toBe('step');
    expect(byId.route.conditionScope).toBeUndefined();
  });

  it('selects the switch case the input picks, case-insensitively, or the default', () => {
    expect(planWorkflow(reg.workflow('cf')!, reg, { kind: 'A' }).nodes[2].switch!.selected).toBe('a');
    expect(planWorkflow(reg.workflow('cf')!, reg, { kind: 'zzz' }).nodes[2].switch!.selected).toBe('default');
  });
});

/** A registry from YAML documents; each starts with its kind (apiVersion is added). */
function registryOf(yaml: string): DefinitionRegistry {
  const text = yaml
    .trim()
    .split(/^---$/m)
    .map((doc) => `apiVersion: workflow.io/v1\n${doc.trim()}`)
    .join('\n---\n');
  const loaded = loadText(text, 'plan.yaml');
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return new DefinitionRegistry(loaded.resources);
}

const TASKS = `
kind: WorkflowTask
metadata: { name: save }
spec: { type: http, http: { method: post, url: "http://store/{{input.kind}}/{{input.id}}" } }
---
kind: WorkflowTask
metadata: { name: ping }
spec: { type: http, http: { url: "http://health/ping?from={{input.from ?? 'plan'}}" } }
---
kind: WorkflowTask
metadata: { name: shape }
spec: { type: transform, transform: { expression: "$" } }
---
kind: Workflow
metadata: { name: child }
spec: { tasks: [{ id: x, taskRef: ping }] }
`;

function plan(workflowYaml: string, input?: unknown) {
  const reg = registryOf(`${TASKS}\n---\n${workflowYaml}`);
  const wf = reg.all().find((r) => r.kind === 'Workflow' && r.metadata.name === 'wf')!;
  return planWorkflow(wf as Parameters<typeof planWorkflow>[0], reg, input);
}

const node = (p: ReturnType<typeof plan>, id: string) => p.nodes.find((n) => n.id === id)!;

describe('plan nodes', () => {
  it('describes a task step with exactly what is known about it', () => {
    const p = plan(
      `kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: a, taskRef: save, timeout: 1m30s, input: { kind: user, id: "{{input.id}}" } }`,
      { id: 7 },
    );
    expect(p.nodes).toStrictEqual([
      { id: 'a', path: 'a', kind: 'task', taskRef: 'save', dependsOn: [], level: 0, timeoutMs: 90_000, input: { kind: 'user', id: 7 }, url: 'http://store/user/7', method: 'POST', unresolved: [], depth: 0 },
    ]);
  });

  it('names each kind of step', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: t, taskRef: shape }
    - { id: w, workflowRef: child }
    - { id: s, switch: { value: "x", cases: [{ match: x, taskRef: shape }] } }
    - { id: g, tasks: [{ id: in, taskRef: shape }] }
    - { id: loop, forEach: { items: [1] }, workflowRef: child }`);
    expect(p.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['t', 'task'],
      ['w', 'workflow'],
      ['s', 'switch'],
      ['g', 'group'],
      ['loop', 'workflow'],
    ]);
    expect(node(p, 'w')).toStrictEqual({ id: 'w', path: 'w', kind: 'workflow', workflowRef: 'child', dependsOn: [], level: 0, unresolved: [], depth: 0 });
  });

  it('classifies a step with conflicting actions as a run does: switch first, then a call over inline steps', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: t, taskRef: shape, tasks: [{ id: in, taskRef: shape }] }
    - { id: w, workflowRef: child, tasks: [{ id: in, taskRef: shape }] }
    - { id: s, switch: { value: "x", cases: [] }, tasks: [{ id: in, taskRef: shape }] }`);
    expect(p.nodes.map((n) => [n.id, n.kind, n.children])).toEqual([
      ['t', 'task', undefined],
      ['w', 'workflow', undefined],
      ['s', 'switch', undefined],
    ]);
  });

  it('plans a workflow without steps as empty', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec: { description: nothing yet }`);
    expect([p.nodes, p.edges, p.parallelGroups, p.criticalPath, p.maxDepth]).toEqual([[], [], [], [], 0]);
  });

  it('previews the URL of a task without input from an empty input, with its method upper-cased', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: p, taskRef: ping }
    - { id: s, taskRef: save }`);
    expect(node(p, 'p')).toMatchObject({ url: 'http://health/ping?from=plan', method: 'GET' });
    expect(node(p, 's')).toMatchObject({ url: 'http://store/{{input.kind}}/{{input.id}}', method: 'POST' });
    expect(node(p, 'p').input).toBeUndefined();
  });

  it('previews the URL of a task from the step input, with GET when the task names no method', () => {
    const p = plan(
      `kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: p, taskRef: ping, input: { from: "{{input.who}}" } }`,
      { who: 'ci' },
    );
    expect(node(p, 'p')).toMatchObject({ input: { from: 'ci' }, url: 'http://health/ping?from=ci', method: 'GET' });
  });

  it('shows no URL while the input waits for another step, or for a task that is not http or not found', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: a, taskRef: shape, input: { v: 1 } }
    - { id: b, taskRef: save, input: { kind: k, id: "{{tasks.a.output}}" } }
    - { id: c, taskRef: shape }
    - { id: d, taskRef: nowhere, input: { v: 1 } }
    - { id: e, taskRef: nowhere }
    - { id: f, workflowRef: child, input: { from: x } }`);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) {
      expect(node(p, id).url, id).toBeUndefined();
      expect(node(p, id).method, id).toBeUndefined();
    }
    expect(node(p, 'b').unresolved).toEqual(['{{tasks.a.output}}']);
    expect(node(p, 'f').input).toEqual({ from: 'x' });
  });

  it('gives each step its dependencies and level, and the plan its edges, groups and critical path', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: a, taskRef: shape }
    - { id: b, taskRef: shape, dependsOn: [a] }
    - { id: c, taskRef: shape, input: { v: "{{tasks.b.output}}" } }
    - { id: d, taskRef: shape }`);
    expect(p.nodes.map((n) => [n.id, n.level, n.dependsOn])).toEqual([
      ['a', 0, []],
      ['b', 1, ['a']],
      ['c', 2, ['b']],
      ['d', 0, []],
    ]);
    expect(p.parallelGroups).toEqual([['a', 'd'], ['b'], ['c']]);
    expect(p.criticalPath).toEqual(['a', 'b', 'c']);
    expect(p.edges).toEqual([
      { from: 'a', to: 'b', via: 'dependsOn' },
      { from: 'b', to: 'c', via: 'template' },
    ]);
  });

  it('reports each cycle as an error and still lists the steps at level 0', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: a, taskRef: shape, dependsOn: [b] }
    - { id: b, taskRef: shape, dependsOn: [a] }
    - { id: c, taskRef: shape, dependsOn: [c] }`);
    expect(p.diagnostics).toEqual([
      { code: 'WF_CYCLE', severity: 'error', message: 'Dependency cycle: a -> b -> a', hint: 'Remove one of the dependencies.' },
      { code: 'WF_CYCLE', severity: 'error', message: 'Dependency cycle: c -> c', hint: 'Remove one of the dependencies.' },
    ]);
    expect(p.inputValid).toBe(true);
    expect(p.nodes.map((n) => [n.id, n.level, n.dependsOn])).toEqual([
      ['a', 0, ['b']],
      ['b', 0, ['a']],
      ['c', 0, ['c']],
    ]);
    expect(p.parallelGroups).toEqual([]);
    expect(p.criticalPath).toEqual([]);
  });

  it('reports a cycle among nested steps', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - id: g
      tasks:
        - { id: x, taskRef: shape, dependsOn: [y] }
        - { id: y, taskRef: shape, dependsOn: [x] }`);
    expect(p.diagnostics.map((d) => d.message)).toEqual(['Dependency cycle: x -> y -> x']);
    expect(p.parallelGroups).toEqual([['g']]);
  });

  it('keeps a condition and says nothing of its scope outside a forEach', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: a, taskRef: shape, condition: { if: "{{input.go}} == true" } }`);
    expect(node(p, 'a').condition).toBe('{{input.go}} == true');
    expect(node(p, 'a')).not.toHaveProperty('conditionScope');
  });

  it('counts a forEach condition that does not parse as per item', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: a, taskRef: shape, forEach: { items: [1] }, condition: { if: "{{input.go}} ==" } }`);
    expect(node(p, 'a').conditionScope).toBe('item');
  });
});

describe('workflow input in plans', () => {
  const WF = `kind: Workflow
metadata: { name: wf, namespace: team }
spec:
  input: { type: object, properties: { id: { type: integer }, region: { type: string, default: eu } }, required: [id] }
  tasks: [{ id: a, taskRef: shape }]`;

  it('names the workflow with its namespace and version', () => {
    const reg = registryOf(WF);
    const wf = reg.workflow('wf', 'team')!;
    expect(planWorkflow(wf, reg, { id: 1 }).workflow).toEqual({ name: 'wf', namespace: 'team', version: resourceVersion(wf) });
  });

  it('applies schema defaults to a copy of the input', () => {
    const reg = registryOf(WF);
    const input = { id: 1 };
    const p = planWorkflow(reg.workflow('wf', 'team')!, reg, input);
    expect(p.inputValid).toBe(true);
    expect(p.input).toEqual({ id: 1, region: 'eu' });
    expect(input).toEqual({ id: 1 });
    expect(p.diagnostics).toEqual([]);
  });

  it('reports each input error with WF_INPUT_INVALID at its pointer', () => {
    const reg = registryOf(WF);
    const p = planWorkflow(reg.workflow('wf', 'team')!, reg, { id: 'one' });
    expect(p.inputValid).toBe(false);
    expect(p.diagnostics).toEqual([expect.objectContaining({ code: 'WF_INPUT_INVALID', severity: 'error', pointer: '/input/id' })]);
  });

  it('plans with an empty input when none or null is given', () => {
    const reg = registryOf(WF.replace(', required: [id]', ''));
    for (const given of [undefined, null]) {
      const p = planWorkflow(reg.workflow('wf', 'team')!, reg, given);
      expect(p.input).toEqual({ region: 'eu' });
      expect(p.inputValid).toBe(true);
    }
  });

  it('expects an object input when the workflow declares no schema', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec: { tasks: [{ id: a, taskRef: shape }] }`, 5);
    expect(p.inputValid).toBe(false);
    expect(p.diagnostics.map((d) => [d.code, d.pointer])).toEqual([['WF_INPUT_INVALID', '/input']]);
    expect(plan(`kind: Workflow
metadata: { name: wf }
spec: { tasks: [{ id: a, taskRef: shape }] }`, { any: 1 }).inputValid).toBe(true);
  });

  it('finds tasks in the namespace of the workflow', () => {
    const reg = registryOf(`kind: WorkflowTask
metadata: { name: ping, namespace: team }
spec: { type: http, http: { url: "http://team/ping" } }
---
kind: WorkflowTask
metadata: { name: ping }
spec: { type: http, http: { url: "http://default/ping" } }
---
${WF.replace('taskRef: shape', 'taskRef: ping')}`);
    expect(planWorkflow(reg.workflow('wf', 'team')!, reg, { id: 1 }).nodes[0].url).toBe('http://team/ping');
  });
});

describe('forEach in plans', () => {
  it('previews the items, counts them and defaults itemVar and maxParallel', () => {
    const p = plan(
      `kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: a, taskRef: shape, forEach: { items: "{{input.ids}}" }, input: { v: "{{forEach.item}}-{{forEach.index}}" } }`,
      { ids: ['x', 'y', 'z'] },
    );
    expect(node(p, 'a')).toMatchObject({ forEach: { items: ['x', 'y', 'z'], itemVar: 'item', maxParallel: 0, itemCount: 3 }, input: { v: 'x-0' }, depth: 1, unresolved: [] });
    expect(p.maxDepth).toBe(1);
  });

  it('does not count items that wait for another step, and lists them as unresolved', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: src, taskRef: shape }
    - { id: a, taskRef: shape, forEach: { items: "{{tasks.src.output}}", itemVar: x }, input: { v: "{{forEach.x}}" } }`);
    expect(node(p, 'a').forEach).toStrictEqual({ items: '{{tasks.src.output}}', itemVar: 'x', maxParallel: 0 });
    expect(node(p, 'a').unresolved).toEqual(['{{tasks.src.output}}', '{{forEach.x}}']);
  });

  it('previews templates with the indexVar of the first item', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: a, taskRef: shape, forEach: { items: [p, q], itemVar: sku, indexVar: i }, input: { v: "{{forEach.sku}}#{{forEach.i}}" } }`);
    expect(node(p, 'a').input).toEqual({ v: 'p#0' });
  });

  it('gives nested loops the outer item, their own depth and their path', () => {
    const p = plan(
      `kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - id: depts
      forEach: { items: "{{input.depts}}", itemVar: dept, maxParallel: 2 }
      tasks:
        - id: people
          forEach: { items: "{{forEach.dept.people}}", itemVar: person }
          tasks:
            - { id: greet, taskRef: shape, input: { who: "{{forEach.person}}", dept: "{{forEach.dept.name}}", up: "{{forEach.$parent.dept.name}}", top: "{{forEach.$root.dept.name}}" } }
        - { id: tally, taskRef: shape, input: { d: "{{forEach.dept.name}}", root: "{{forEach.$root.dept.name}}", parent: "{{forEach.$parent ?? 'none'}}" } }`,
      { depts: [{ name: 'ops', people: ['ann', 'bo'] }] },
    );
    const depts = node(p, 'depts');
    expect(depts.forEach).toEqual({ items: [{ name: 'ops', people: ['ann', 'bo'] }], itemVar: 'dept', maxParallel: 2, itemCount: 1 });
    const [people, tally] = depts.children!;
    expect([people.path, people.depth, people.forEach!.items]).toEqual(['depts.people', 2, ['ann', 'bo']]);
    expect(people.children!.map((c) => [c.path, c.depth, c.input])).toEqual([['depts.people.greet', 2, { who: 'ann', dept: 'ops', up: 'ops', top: 'ops' }]]);
    expect([tally.path, tally.depth, tally.input]).toEqual(['depts.tally', 1, { d: 'ops', root: 'ops', parent: 'none' }]);
    expect(p.maxDepth).toBe(2);
  });

  it('previews the whole loop frame as plain JSON', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - id: outer
      forEach: { items: [a], itemVar: o }
      tasks:
        - { id: inner, taskRef: shape, forEach: { items: [b] }, input: { frame: "{{forEach}}", root: "{{forEach.$root}}" } }`);
    const inner = node(p, 'outer').children![0];
    expect(JSON.parse(JSON.stringify(inner.input))).toEqual({ frame: { item: 'b', index: 0 }, root: { o: 'a', index: 0 } });
  });

  it('gives a group without forEach the depth and sample item of its parent', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - id: loop
      forEach: { items: [a, b] }
      tasks:
        - id: grp
          tasks: [{ id: leaf, taskRef: shape, input: { v: "{{forEach.item}}" } }]
    - id: plain
      tasks: [{ id: leaf, taskRef: shape, input: { v: "{{forEach.item}}" } }]`);
    const grp = node(p, 'loop').children![0];
    expect([grp.kind, grp.depth, grp.children![0].depth, grp.children![0].input]).toEqual(['group', 1, 1, { v: 'a' }]);
    const plain = node(p, 'plain');
    expect([plain.depth, plain.children![0].path, plain.children![0].depth, plain.children![0].unresolved]).toEqual([0, 'plain.leaf', 0, ['{{forEach.item}}']]);
    expect(p.maxDepth).toBe(1);
  });

  it('has no children for a step that calls a task or workflow', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - { id: a, forEach: { items: [1] }, taskRef: shape }`);
    expect(node(p, 'a')).not.toHaveProperty('children');
    expect(p.maxDepth).toBe(1);
  });

  it('has a depth of 0 for a workflow without loops', () => {
    expect(plan(`kind: Workflow
metadata: { name: wf }
spec: { tasks: [{ id: a, taskRef: shape }] }`).maxDepth).toBe(0);
  });
});

describe('switch in plans', () => {
  const WF = `kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - id: route
      switch:
        value: "{{input.kind}}"
        cases:
          - { match: Email, taskRef: save, input: { kind: e } }
          - { match: 2, workflowRef: child }
          - { match: true, taskRef: shape }
        default: { workflowRef: child }`;

  it('lists the cases and the default by what each calls', () => {
    expect(plan(WF, { kind: 'sms' }).nodes[0].switch).toStrictEqual({
      value: 'sms',
      cases: [
        { match: 'Email', taskRef: 'save' },
        { match: 2, workflowRef: 'child' },
        { match: true, taskRef: 'shape' },
      ],
      default: { workflowRef: 'child' },
      selected: 'default',
    });
  });

  it('selects a case by its text, ignoring case', () => {
    expect(plan(WF, { kind: 'EMAIL' }).nodes[0].switch!.selected).toBe('Email');
    expect(plan(WF, { kind: 2 }).nodes[0].switch!.selected).toBe('2');
    expect(plan(WF, { kind: '2' }).nodes[0].switch!.selected).toBe('2');
    expect(plan(WF, { kind: 'True' }).nodes[0].switch!.selected).toBe('true');
  });

  it('selects nothing without a default when no case matches', () => {
    const s = plan(WF.replace('default: { workflowRef: child }', 'default: { taskRef: shape }'), { kind: 'sms' }).nodes[0].switch!;
    expect(s.default).toStrictEqual({ taskRef: 'shape' });
    const none = plan(WF.replace('        default: { workflowRef: child }', ''), { kind: 'sms' }).nodes[0].switch!;
    expect(none).not.toHaveProperty('default');
    expect(none.selected).toBeUndefined();
  });

  it('selects nothing while the value waits for another step', () => {
    const p = plan(WF.replace('{{input.kind}}', '{{tasks.src.output.kind}}'), {});
    expect(p.nodes[0].switch).not.toHaveProperty('selected');
    expect(p.nodes[0].switch!.value).toBe('{{tasks.src.output.kind}}');
    expect(p.nodes[0].unresolved).toEqual(['{{tasks.src.output.kind}}']);
  });

  it('reads the value of a switch inside a forEach from the first item', () => {
    const p = plan(`kind: Workflow
metadata: { name: wf }
spec:
  tasks:
    - id: route
      forEach: { items: [{ kind: email }], itemVar: msg }
      switch: { value: "{{forEach.msg.kind}}", cases: [{ match: email, taskRef: save }] }`);
    expect(p.nodes[0].switch).toMatchObject({ value: 'email', selected: 'email' });
  });
});
