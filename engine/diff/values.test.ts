import { describe, expect, it } from 'vitest';
import { diffValues } from './values.js';

describe('diffValues', () => {
  it('reports a nested scalar change by its dotted path', () => {
    expect(diffValues({ retry: { maxAttempts: 3 } }, { retry: { maxAttempts: 5 } })).toEqual([{ path: 'retry.maxAttempts', change: 'changed', before: 3, after: 5 }]);
  });

  it('reports added and removed keys', () => {
    expect(diffValues({ a: 1 }, { b: 2 })).toEqual([
      { path: 'a', change: 'removed', before: 1 },
      { path: 'b', change: 'added', after: 2 },
    ]);
  });

  it('matches nested steps by id rather than by position', () => {
    const before = { tasks: [{ id: 'x', taskRef: 't1' }, { id: 'y', taskRef: 't2' }] };
    const after = { tasks: [{ id: 'y', taskRef: 't2' }, { id: 'x', taskRef: 't3' }] };
    expect(diffValues(before, after)).toEqual([{ path: 'tasks[x].taskRef', change: 'changed', before: 't1', after: 't3' }]);
  });

  it('reports any other differing list once, whole', () => {
    expect(diffValues({ dependsOn: ['a'] }, { dependsOn: ['a', 'b'] })).toEqual([{ path: 'dependsOn', change: 'changed', before: ['a'], after: ['a', 'b'] }]);
  });

  it('finds nothing in equal values whose keys are in another order', () => {
    expect(diffValues({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
  });
});
