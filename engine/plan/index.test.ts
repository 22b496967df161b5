import { describe, expect, it } from 'vitest';
import { loadText } from '../load/index.js';
import { DefinitionRegistry } from '../load/registry.js';
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
