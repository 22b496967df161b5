import { describe, expect, it } from 'vitest';
import { buildStepTree, fieldLabel, flatten, loopChain, stepLabel } from './steps.js';

const tree = buildStepTree(
  [
    { id: 'plain', taskRef: 't', input: { a: '{{ input.a }}', b: 'no template' } },
    {
      id: 'departments',
      forEach: { items: '{{ input.departments }}', itemVar: 'dept', indexVar: 'd' },
      tasks: [{ id: 'group', tasks: [{ id: 'employees', forEach: { items: '{{ forEach.dept.employees }}' }, taskRef: 't' }] }],
    },
    'not a step',
  ],
  '/spec/tasks',
);

describe('buildStepTree', () => {
  it('keeps object steps with their pointers, parents first', () => {
    expect(flatten(tree).map((n) => [n.id, n.pointer])).toEqual([
      ['plain', '/spec/tasks/0'],
      ['departments', '/spec/tasks/1'],
      ['group', '/spec/tasks/1/tasks/0'],
      ['employees', '/spec/tasks/1/tasks/0/tasks/0'],
    ]);
  });

  it('parses each template string once and skips strings without braces', () => {
    expect(tree[0].strings.map((s) => [s.pointer, s.parsed?.whole])).toEqual([['/spec/tasks/0/input/a', true]]);
  });

  it('gives a loop body its variables and a nested loop the default item variable', () => {
    const employees = flatten(tree).find((n) => n.id === 'employees')!;
    expect([...employees.outerVars]).toEqual(expect.arrayContaining(['dept', 'd', 'index']));
    expect(employees.outerVars.has('item')).toBe(false);
    expect(employees.vars.has('item')).toBe(true);
    expect(tree[0].vars.size).toBe(0);
  });

  it('counts forEach depth through groups and lists only the loops in the chain', () => {
    const employees = flatten(tree).find((n) => n.id === 'employees')!;
    expect(employees.depth).toBe(2);
    expect(loopChain(employees)).toEqual(['departments', 'employees']);
  });
});

describe('buildStepTree edge cases', () => {
  it('returns no steps for a tasks value that is not a list', () => {
    expect(buildStepTree({ id: 'a' }, '/spec/tasks')).toEqual([]);
    expect(buildStepTree(undefined, '/spec/tasks')).toEqual([]);
  });

  it('keeps the pointer index of a step after a skipped entry and shares one siblings list', () => {
    const nodes = buildStepTree([null, { id: 'a', taskRef: 't' }, { taskRef: 't' }], '/spec/tasks');
    expect(nodes.map((n) => n.pointer)).toEqual(['/spec/tasks/1', '/spec/tasks/2']);
    expect(nodes[0].siblings).toBe(nodes);
    expect(nodes[1].siblings).toBe(nodes);
    expect(nodes[0].parent).toBeUndefined();
    expect(nodes[0].children).toEqual([]);
  });

  it('keeps the id only when it is a string', () => {
    const [numeric, named] = buildStepTree([{ id: 5, taskRef: 't' }, { id: 'b', taskRef: 't' }], '/spec/tasks');
    expect(numeric.id).toBeUndefined();
    expect(named.id).toBe('b');
  });

  it('links nested steps to their parent and gives them their own siblings list', () => {
    const [group] = buildStepTree([{ id: 'g', tasks: [{ id: 'x' }, { id: 'y' }] }], '/spec/tasks');
    expect(group.children.map((c) => c.pointer)).toEqual(['/spec/tasks/0/tasks/0', '/spec/tasks/0/tasks/1']);
    expect(group.children[0].parent).toBe(group);
    expect(group.children[1].siblings).toBe(group.children);
    expect(group.children[0].depth).toBe(0);
  });

  it('collects templates of workflowRef, input, condition, switch and forEach in that order, not of other fields', () => {
    const [node] = buildStepTree(
      [
        {
          id: 'a',
          forEach: { items: '{{ input.xs }}' },
          switch: { value: '{{ input.s }}' },
          condition: { if: '{{ input.c }} == 1' },
          input: { 'a/b': '{{ input.i }}' },
          workflowRef: '{{ input.w }}',
          timeout: '{{ input.t }}',
        },
      ],
      '/spec/tasks',
    );
    expect(node.strings.map((s) => s.pointer)).toEqual([
      '/spec/tasks/0/workflowRef',
      '/spec/tasks/0/input/a~1b',
      '/spec/tasks/0/condition/if',
      '/spec/tasks/0/switch/value',
      '/spec/tasks/0/forEach/items',
    ]);
  });

  it('names the loop variables: itemVar and indexVar when given, item otherwise, and the built-ins', () => {
    const [named, unnamed, empty, notLoop] = buildStepTree(
      [
        { id: 'a', forEach: { items: [1], itemVar: 'order', indexVar: 'i' }, taskRef: 't' },
        { id: 'b', forEach: { items: [1] }, taskRef: 't' },
        { id: 'c', forEach: { items: [1], itemVar: '', indexVar: '' }, taskRef: 't' },
        { id: 'd', forEach: '{{ input.xs }}', taskRef: 't' },
      ],
      '/spec/tasks',
    );
    expect([...named.vars]).toEqual(['order', 'index', '$parent', '$root', 'i']);
    expect([...unnamed.vars]).toEqual(['item', 'index', '$parent', '$root']);
    expect([...empty.vars]).toEqual(['item', 'index', '$parent', '$root']);
    expect(named.depth).toBe(1);
    expect(notLoop.vars.size).toBe(0);
    expect(notLoop.depth).toBe(0);
  });

  it('gives a step without forEach inside a loop the loop variables as both its own and its outer ones', () => {
    const [loop] = buildStepTree([{ id: 'l', forEach: { items: [1], itemVar: 'x' }, tasks: [{ id: 'in', taskRef: 't' }] }], '/spec/tasks');
    const inner = loop.children[0];
    expect(inner.vars).toBe(loop.vars);
    expect(inner.outerVars).toBe(loop.vars);
    expect(inner.depth).toBe(1);
    expect(loop.outerVars.size).toBe(0);
  });
});

describe('flatten', () => {
  it('lists parents before their children and siblings in declaration order', () => {
    const nodes = buildStepTree([{ id: 'a', tasks: [{ id: 'a1', tasks: [{ id: 'a11' }] }, { id: 'a2' }] }, { id: 'b' }], '/spec/tasks');
    expect(flatten(nodes).map((n) => n.id)).toEqual(['a', 'a1', 'a11', 'a2', 'b']);
  });
});

describe('stepLabel and fieldLabel', () => {
  const [named, unnamed] = buildStepTree([{ id: 'charge', taskRef: 't' }, { taskRef: 't' }], '/spec/tasks');

  it('names a step by its id, or by its path when it has none', () => {
    expect(stepLabel(named)).toBe("Step 'charge'");
    expect(stepLabel(unnamed)).toBe('Step spec.tasks[1]');
  });

  it('names a field relative to its step, or the step alone for the step itself', () => {
    expect(fieldLabel(named, '/spec/tasks/0/input/amount')).toBe("Step 'charge' input.amount");
    expect(fieldLabel(unnamed, '/spec/tasks/1/forEach/items')).toBe('Step spec.tasks[1] forEach.items');
    expect(fieldLabel(named, '/spec/tasks/0')).toBe("Step 'charge'");
  });
});

describe('loopChain', () => {
  it('names loops without an id by their path and leaves out steps that do not loop', () => {
    const [outer] = buildStepTree([{ forEach: { items: [1] }, tasks: [{ id: 'g', tasks: [{ id: 'in', forEach: { items: [1] }, taskRef: 't' }] }] }], '/spec/tasks');
    const inner = outer.children[0].children[0];
    expect(loopChain(inner)).toEqual(['spec.tasks[0]', 'in']);
    expect(loopChain(outer.children[0])).toEqual(['spec.tasks[0]']);
  });

  it('is empty for a step outside any loop', () => {
    const [plain] = buildStepTree([{ id: 'p', taskRef: 't' }], '/spec/tasks');
    expect(loopChain(plain)).toEqual([]);
  });
});
