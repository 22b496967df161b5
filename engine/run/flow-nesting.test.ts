import { describe, expect, it } from 'vitest';
import { loadText } from '../load/index.js';
import { DefinitionRegistry } from '../load/registry.js';
import { Engine } from './engine.js';
import { fakeTask, flowEngine, httpFailure, traceAt } from '../../test/support/flow.js';
import { compileTask, compileWorkflow, CompileError, type CompiledTask } from './compile.js';
import type { WorkflowResource, WorkflowTaskResource } from '../model/types.js';

const TASKS = ['onboard', 'echo', 'express', 'standard', 'lookup'].map((t) => fakeTask(t)).join('');
const echo = (i: unknown) => i;
const handlers = {
  onboard: (i: { deptId: string; employeeId: string }) => {
    if (i.employeeId === 'bad') throw httpFailure(409, 'HTTP 409 already onboarded');
    return { onboarded: `${i.deptId}/${i.employeeId}` };
  },
  echo,
  express: (i: unknown) => ({ express: i }),
  standard: (i: unknown) => ({ standard: i }),
  lookup: () => ({ region: 'eu' }),
};

const DEPTS = { departments: [{ id: 'd1', employees: [{ id: 'e1' }, { id: 'e2' }] }, { id: 'd2', employees: [{ id: 'e3' }] }] };

describe('nested forEach', () => {
  const NESTED = `${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: nested }
spec:
  tasks:
    - id: process-departments
      forEach: { items: "{{input.departments}}", itemVar: dept }
      tasks:
        - id: process-employees
          forEach: { items: "{{forEach.dept.employees}}", itemVar: employee }
          taskRef: onboard
          input: { deptId: "{{forEach.dept.id}}", employeeId: "{{forEach.employee.id}}" }
  output: { fe: "{{tasks.process-departments.forEach}}" }
`;

  it('runs the inner loop per outer item, reading the outer item by its name', async () => {
    const { engine, calls } = flowEngine(NESTED, handlers);
    const r = await engine.execute('nested', DEPTS);
    expect(r.status).toBe('succeeded');
    expect(calls.of('onboard')).toEqual([
      { deptId: 'd1', employeeId: 'e1' },
      { deptId: 'd1', employeeId: 'e2' },
      { deptId: 'd2', employeeId: 'e3' },
    ]);
  });

  it('gives each outer item the outputs of its nested steps by id', async () => {
    const { engine } = flowEngine(NESTED, handlers);
    const r = await engine.execute('nested', DEPTS);
    expect(r.output).toEqual({
      fe: {
        outputs: [
          { 'process-employees': { results: [{ onboarded: 'd1/e1' }, { onboarded: 'd1/e2' }] } },
          { 'process-employees': { results: [{ onboarded: 'd2/e3' }] } },
        ],
        itemCount: 2,
        successCount: 2,
        failureCount: 0,
        skippedCount: 0,
        errors: [],
      },
    });
  });

  it('nests item traces: outer item, nested step, inner item', async () => {
    const { engine } = flowEngine(NESTED, handlers);
    const r = await engine.execute('nested', DEPTS);
    expect(traceAt(r.steps, 'process-departments', 'process-departments[0]').kind).toBe('group');
    expect(traceAt(r.steps, 'process-departments', 'process-departments[0]', 'process-employees').children!.map((t) => t.id)).toEqual(['process-employees[0]', 'process-employees[1]']);
  });

  it('fails the outer item when an inner item fails, with the nested step named', async () => {
    const { engine } = flowEngine(NESTED, handlers);
    const r = await engine.execute('nested', { departments: [{ id: 'd1', employees: [{ id: 'bad' }] }, { id: 'd2', employees: [{ id: 'e3' }] }] });
    expect(r.status).toBe('failed');
    expect(r.error?.message).toBe(
      "step 'process-departments': 1 of 2 items failed (none tolerated); first, item 0: Nested step 'process-employees' failed: step 'process-employees': 1 of 1 items failed (none tolerated); first, item 0: HTTP 409 already onboarded",
    );
    expect(traceAt(r.steps, 'process-departments', 'process-departments[1]').status).toBe('succeeded');
  });

  it('resolves forEach.index to the innermost index and $parent / $root to outer frames', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: frames }
spec:
  tasks:
    - id: a
      forEach: { items: "{{input.xs}}", itemVar: x }
      tasks:
        - id: b
          forEach: { items: "{{forEach.x.ys}}", itemVar: y }
          tasks:
            - id: c
              forEach: { items: "{{forEach.y.zs}}", itemVar: z }
              taskRef: echo
              input:
                z: "{{forEach.z}}"
                index: "{{forEach.index}}"
                parentY: "{{forEach.$parent.y.name}}"
                parentIndex: "{{forEach.$parent.index}}"
                grandIndex: "{{forEach.$parent.$parent.index}}"
                root: "{{forEach.$root.x.name}}"
                rootIndex: "{{forEach.$root.index}}"
                outerByName: "{{forEach.x.name}}"
`, handlers);
    const r = await engine.execute('frames', { xs: [{ name: 'x0', ys: [] }, { name: 'x1', ys: [{ name: 'y0', zs: [] }, { name: 'y1', zs: ['z0', 'z1'] }] }] });
    expect(r.status).toBe('succeeded');
    expect(calls.of('echo')).toEqual([
      { z: 'z0', index: 0, parentY: 'y1', parentIndex: 1, grandIndex: 1, root: 'x1', rootIndex: 1, outerByName: 'x1' },
      { z: 'z1', index: 1, parentY: 'y1', parentIndex: 1, grandIndex: 1, root: 'x1', rootIndex: 1, outerByName: 'x1' },
    ]);
  });

  it('makes $root the frame itself and $parent null in a single loop', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: single }
spec:
  tasks:
    - id: a
      forEach: { items: "{{input.xs}}", itemVar: x }
      taskRef: echo
      input: { root: "{{forEach.$root.x}}", parent: "{{forEach.$parent}}" }
`, handlers);
    await engine.execute('single', { xs: ['only'] });
    expect(calls.of('echo')).toEqual([{ root: 'only', parent: null }]);
  });

  it('gives {{forEach}} as plain JSON: the items and indexes, never a frame that holds itself', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: whole-frame }
spec:
  tasks:
    - id: a
      forEach: { items: "{{input.xs}}", itemVar: x, indexVar: i }
      tasks:
        - id: b
          forEach: { items: "{{forEach.x.ys}}", itemVar: y }
          taskRef: echo
          input: { frame: "{{forEach}}", root: "{{forEach.$root}}" }
`, handlers);
    const r = await engine.execute('whole-frame', { xs: [{ ys: [7] }] });
    expect(r.status).toBe('succeeded');
    const [call] = calls.of('echo') as Array<{ frame: unknown; root: unknown }>;
    const outer = { x: { ys: [7] }, index: 0, i: 0 };
    expect(JSON.parse(JSON.stringify(call))).toEqual({ frame: { y: 7, index: 0, $parent: outer }, root: outer });
  });

  it('lets nested steps read outer steps and their own siblings', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: scopes }
spec:
  tasks:
    - { id: where, taskRef: lookup }
    - id: each
      forEach: { items: "{{input.xs}}", itemVar: x }
      tasks:
        - { id: first, taskRef: echo, input: { x: "{{forEach.x}}", region: "{{tasks.where.output.region}}" } }
        - { id: second, taskRef: echo, input: { prev: "{{tasks.first.output.x}}" } }
`, handlers);
    const r = await engine.execute('scopes', { xs: ['p', 'q'] });
    expect(r.status).toBe('succeeded');
    expect(calls.of('echo')).toEqual(expect.arrayContaining([{ x: 'p', region: 'eu' }, { x: 'q', region: 'eu' }, { prev: 'p' }, { prev: 'q' }]));
    expect(calls.of('echo')).toHaveLength(4);
  });

  it("keeps one item's nested outputs out of another item's scope", async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: isolation }
spec:
  tasks:
    - id: each
      forEach: { items: "{{input.xs}}", itemVar: x }
      tasks:
        - { id: first, taskRef: echo, input: { x: "{{forEach.x}}" } }
        - { id: second, taskRef: echo, input: { mine: "{{tasks.first.output.x}}", same: "{{forEach.x}}" } }
  output: { r: "{{tasks.each.forEach.outputs}}" }
`, handlers);
    const r = await engine.execute('isolation', { xs: ['a', 'b', 'c'] });
    expect((r.output as any).r.map((o: any) => o.second)).toEqual([
      { mine: 'a', same: 'a' },
      { mine: 'b', same: 'b' },
      { mine: 'c', same: 'c' },
    ]);
  });
});

describe('switch and condition nested with forEach', () => {
  it('routes each item through a switch inside a forEach', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: switch-in-loop }
spec:
  tasks:
    - id: ship
      forEach: { items: "{{input.orders}}", itemVar: order }
      input: { id: "{{forEach.order.id}}" }
      switch:
        value: "{{forEach.order.speed}}"
        cases:
          - { match: express, taskRef: express }
        default: { taskRef: standard }
  output: { r: "{{tasks.ship.forEach.outputs}}" }
`, handlers);
    const r = await engine.execute('switch-in-loop', { orders: [{ id: 1, speed: 'EXPRESS' }, { id: 2, speed: 'slow' }] });
    expect(r.output).toEqual({ r: [{ express: { id: 1 } }, { standard: { id: 2 } }] });
    expect(traceAt(r.steps, 'ship').children!.map((t) => [t.matched, t.taskRef])).toEqual([
      ['express', 'express'],
      ['default', 'standard'],
    ]);
  });

  it('fails only the item whose switch value matches nothing, naming the value', async () => {
    const { engine } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: switch-in-loop }
spec:
  tasks:
    - id: ship
      forEach: { items: "{{input.orders}}", itemVar: order, toleratedFailureCount: 1 }
      switch:
        value: "{{forEach.order.speed}}"
        cases: [{ match: express, taskRef: express }]
  output: { fe: "{{tasks.ship.forEach}}" }
`, handlers);
    const r = await engine.execute('switch-in-loop', { orders: [{ speed: 'express' }, { speed: 'drone' }] });
    expect(r.status).toBe('succeeded');
    expect((r.output as any).fe.errors).toEqual([{ index: 1, type: 'switch', code: 'WF_SWITCH_NO_MATCH', message: 'Switch value "drone" matches no case (express) and there is no default' }]);
  });

  it('iterates inside a switch case through a sub-workflow that loops', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: bulk-express }
spec:
  tasks:
    - id: each
      forEach: { items: "{{input.ids}}", itemVar: id }
      taskRef: express
      input: { id: "{{forEach.id}}" }
  output: { shipped: "{{tasks.each.forEach.successCount}}" }
---
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: loop-in-switch }
spec:
  tasks:
    - id: route
      switch:
        value: "{{input.mode}}"
        cases:
          - { match: bulk, workflowRef: bulk-express, input: { ids: "{{input.ids}}" } }
        default: { taskRef: standard, input: { ids: "{{input.ids}}" } }
`, handlers);
    const r = await engine.execute('loop-in-switch', { mode: 'bulk', ids: ['a', 'b', 'c'] });
    expect(r.output).toEqual({ route: { shipped: 3 } });
    expect(calls.of('express')).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    expect(traceAt(r.steps, 'route', 'each').children).toHaveLength(3);
  });

  it('evaluates a condition on a nested step per outer item', async () => {
    const { engine, calls } = flowEngine(`${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: cond-in-loop }
spec:
  tasks:
    - id: each
      forEach: { items: "{{input.depts}}", itemVar: dept }
      tasks:
        - { id: go, taskRef: echo, condition: { if: "{{forEach.dept.active}} == true" }, input: { d: "{{forEach.dept.id}}" } }
        - { id: after, taskRef: echo, input: { got: "{{tasks.go.output.d ?? 'inactive'}}" } }
  output: { r: "{{tasks.each.forEach.outputs}}" }
`, handlers);
    const r = await engine.execute('cond-in-loop', { depts: [{ id: 'd1', active: true }, { id: 'd2', active: false }] });
    expect(r.output).toEqual({ r: [{ go: { d: 'd1' }, after: { got: 'd1' } }, { go: null, after: { got: 'inactive' } }] });
    expect(calls.of('echo')).toHaveLength(3);
    expect(traceAt(r.steps, 'each', 'each[1]', 'go')).toMatchObject({ status: 'skipped', reason: "condition '{{forEach.dept.active}} == true' was false" });
  });

  it('skips a whole loop behind a condition and still runs the inner loop when it is true', async () => {
    const yaml = `${TASKS}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: loop-in-cond }
spec:
  tasks:
    - id: outer
      condition: { if: "{{input.enabled}} == true" }
      forEach: { items: "{{input.groups}}", itemVar: g }
      tasks:
        - id: inner
          forEach: { items: "{{forEach.g}}", itemVar: v }
          taskRef: echo
          input: { v: "{{forEach.v}}" }
`;
    const { engine, calls } = flowEngine(yaml, handlers);
    expect(traceAt((await engine.execute('loop-in-cond', { enabled: false, groups: [[1]] })).steps, 'outer').status).toBe('skipped');
    expect(calls.list).toEqual([]);
    await engine.execute('loop-in-cond', { enabled: true, groups: [[1, 2], [3]] });
    expect(calls.of('echo')).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }]);
  });
});

describe('nesting depth', () => {
  const loops = (depth: number): string => {
    let inner = `taskRef: echo\n      input: { v: "{{forEach.l${depth - 1}}}" }`;
    for (let d = depth - 1; d >= 0; d--) {
      const body = d === depth - 1 ? inner : `tasks:\n        - ${inner.replace(/\n/g, '\n    ')}`;
      inner = `id: l${d}\n      forEach: { items: "{{${d === 0 ? 'input.xs' : `forEach.l${d - 1}`}}}", itemVar: l${d} }\n      ${body}`;
    }
    return `${fakeTask('echo')}
apiVersion: workflow.io/v1
kind: Workflow
metadata: { name: deep }
spec:
  tasks:
    - ${inner}
`;
  };

  const compile = (yaml: string, maxNestingDepth?: number) => {
    const loaded = loadText(yaml, 'deep.yaml');
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const origins = new Map<string, string>();
    const task = compileTask(loaded.resources.find((r) => r.resource.kind === 'WorkflowTask')!.resource as WorkflowTaskResource, { origins, defaultTimeoutMs: 1000 });
    const tasks = new Map<string, CompiledTask>([[task.key, task]]);
    return () => compileWorkflow(loaded.resources.find((r) => r.resource.kind === 'Workflow')!.resource as WorkflowResource, tasks, { origins, defaultTimeoutMs: 1000, maxNestingDepth });
  };

  it('runs three nested loops (the default maximum)', async () => {
    const { engine, calls } = flowEngine(loops(3), { echo });
    const r = await engine.execute('deep', { xs: [[[1, 2]], [[3]]] });
    expect(r.status).toBe('succeeded');
    expect(calls.of('echo')).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }]);
  });

  it('refuses a fourth nested loop at compile time, printing the chain', () => {
    let err: unknown;
    try {
      compile(loops(4))();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CompileError);
    expect(err).toMatchObject({
      code: 'WF_NESTING_TOO_DEEP',
      message: 'forEach loops nest 4 deep, more than the maximum of 3: l0 > l1 > l2 > l3',
      pointer: '/spec/tasks/0/tasks/0/tasks/0/tasks/0',
      resource: 'Workflow/default/deep',
    });
  });

  it('honours a configured maximum nesting depth', () => {
    expect(compile(loops(4), 4)).not.toThrow();
    expect(compile(loops(2), 1)).toThrow(/nest 2 deep, more than the maximum of 1: l0 > l1/);
  });

  it('lists a workflow that nests too deep among the engine compile errors', () => {
    const engine = new Engine(new DefinitionRegistry(loadText(loops(4), 'deep.yaml').resources));
    expect(engine.compileErrors.map((e) => [e.code, e.resource])).toEqual([['WF_NESTING_TOO_DEEP', 'Workflow/default/deep']]);
    expect(engine.workflow('deep')).toBeUndefined();
  });
});
