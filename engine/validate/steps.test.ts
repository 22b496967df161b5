import { describe, expect, it } from 'vitest';
import { buildStepTree, flatten, loopChain } from './steps.js';

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
