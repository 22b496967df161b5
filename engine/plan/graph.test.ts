import { describe, expect, it } from 'vitest';
import type { StepSpec } from '../model/types.js';
import { buildGraph, criticalPath, findCycles } from './graph.js';

const step = (id: string, extra: Partial<StepSpec> = {}): StepSpec => ({ id, taskRef: 't', ...extra });
const deps = (entries: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(entries));

describe('buildGraph', () => {
  it('keeps the declaration order of ids and levels steps by their longest chain of dependencies', () => {
    const g = buildGraph([step('a'), step('b', { dependsOn: ['a'] }), step('c', { dependsOn: ['a', 'b'] }), step('d')]);
    expect(g.ids).toEqual(['a', 'b', 'c', 'd']);
    expect(g.levels).toEqual([['a', 'd'], ['b'], ['c']]);
    expect(g.cycles).toEqual([]);
  });

  it('levels a step after a dependency declared later in the list', () => {
    const g = buildGraph([step('late', { dependsOn: ['early'] }), step('early', { dependsOn: ['root'] }), step('root')]);
    expect(g.levels).toEqual([['root'], ['early'], ['late']]);
  });

  it('turns each tasks.X template into an edge, and labels edges by where they come from', () => {
    const g = buildGraph([
      step('a'),
      step('b', { input: { x: '{{tasks.a.output.x}}' } }),
      step('c', { dependsOn: ['a'] }),
      step('d', { dependsOn: ['b'], input: { y: 'id {{tasks.b.output.id}}', z: '{{tasks.c.status}}' } }),
    ]);
    expect(g.edges).toEqual([
      { from: 'a', to: 'b', via: 'template' },
      { from: 'a', to: 'c', via: 'dependsOn' },
      { from: 'b', to: 'd', via: 'both' },
      { from: 'c', to: 'd', via: 'template' },
    ]);
  });

  it('lists each dependency once, explicit ones first, and fills dependents for every step', () => {
    const g = buildGraph([
      step('a'),
      step('b'),
      step('c', { dependsOn: ['b', 'b'], input: { p: '{{tasks.a.output}}', q: '{{tasks.b.output}}', r: '{{tasks.a.status}}' } }),
    ]);
    expect(g.dependencies).toEqual(deps({ a: [], b: [], c: ['b', 'a'] }));
    expect(g.dependents).toEqual(deps({ a: ['c'], b: ['c'], c: [] }));
    expect(g.edges.map((e) => `${e.from}>${e.to}:${e.via}`)).toEqual(['b>c:both', 'a>c:template']);
  });

  it('ignores dependencies on ids that are not siblings (outer steps seen from a nested list)', () => {
    const g = buildGraph([step('inner', { dependsOn: ['outer'], input: { v: '{{tasks.outer2.output}}' } })]);
    expect(g.dependencies.get('inner')).toEqual([]);
    expect(g.edges).toEqual([]);
    expect(g.levels).toEqual([['inner']]);
  });

  it('does not make a step depend on itself through a template that reads its own id', () => {
    const g = buildGraph([step('poll', { condition: { if: '{{tasks.poll.output.done ?? false}} == false' } })]);
    expect(g.dependencies.get('poll')).toEqual([]);
    expect(g.cycles).toEqual([]);
  });

  it('levels a workflow where every step waits for all earlier ones without revisiting them', () => {
    const steps = Array.from({ length: 60 }, (_, i) => step(`s${i}`, { dependsOn: Array.from({ length: i }, (_, j) => `s${j}`) }));
    const g = buildGraph(steps);
    expect(g.levels).toEqual(steps.map((s) => [s.id]));
    expect(criticalPath(g).weight).toBe(60);
  });

  it('reports a cycle and leaves levels empty instead of looping', () => {
    const g = buildGraph([step('a', { dependsOn: ['b'] }), step('b', { dependsOn: ['a'] }), step('c')]);
    expect(g.cycles).toEqual([['a', 'b', 'a']]);
    expect(g.levels).toEqual([]);
  });

  it('reports an explicit self-dependency as a cycle of one step', () => {
    const g = buildGraph([step('a'), step('self', { dependsOn: ['self'] })]);
    expect(g.cycles).toEqual([['self', 'self']]);
    expect(g.edges).toEqual([{ from: 'self', to: 'self', via: 'dependsOn' }]);
  });

  it('reports a cycle whose steps also wait for each other in a second loop', () => {
    const g = buildGraph([step('a', { dependsOn: ['b'] }), step('b', { dependsOn: ['d', 'c'] }), step('c', { dependsOn: ['a'] }), step('d', { dependsOn: ['b'] })]);
    expect(g.cycles).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('builds an empty graph for an empty list', () => {
    const g = buildGraph([]);
    expect(g).toEqual({ ids: [], edges: [], dependencies: new Map(), dependents: new Map(), cycles: [], levels: [] });
  });
});

describe('findCycles', () => {
  it('finds nothing in a graph without cycles, including diamonds', () => {
    expect(findCycles(['a', 'b', 'c', 'd'], deps({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }))).toEqual([]);
  });

  it('prints each cycle from its first declared id in "waits for" order', () => {
    // c waits for a, a waits for b, b waits for c.
    expect(findCycles(['c', 'a', 'b'], deps({ a: ['b'], b: ['c'], c: ['a'] }))).toEqual([['c', 'a', 'b', 'c']]);
    expect(findCycles(['a', 'b', 'c'], deps({ a: ['b'], b: ['c'], c: ['a'] }))).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('reports a self-loop but not a lone step', () => {
    expect(findCycles(['a', 'b'], deps({ a: ['a'], b: [] }))).toEqual([['a', 'a']]);
  });

  it('finds separate cycles once each', () => {
    const d = deps({ a: ['b'], b: ['a'], c: ['a', 'd'], d: ['e'], e: ['d'], f: ['f'] });
    const cycles = findCycles(['a', 'b', 'c', 'd', 'e', 'f'], d);
    expect(cycles).toHaveLength(3);
    expect(cycles).toEqual(expect.arrayContaining([['a', 'b', 'a'], ['d', 'e', 'd'], ['f', 'f']]));
  });

  it('keeps a step that only reaches a cycle out of it', () => {
    // x waits for a, which is in a cycle with b; y waits for x.
    expect(findCycles(['y', 'x', 'a', 'b'], deps({ y: ['x'], x: ['a'], a: ['b'], b: ['a'] }))).toEqual([['a', 'b', 'a']]);
  });

  it('prints the shortest cycle through the first id when two cycles share steps, without getting stuck', () => {
    // a -> b -> c -> a and b -> d -> b form one component; walking a, b, d first would dead-end at d.
    expect(findCycles(['a', 'b', 'c', 'd'], deps({ a: ['b'], b: ['d', 'c'], c: ['a'], d: ['b'] }))).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('prints the shortest of several cycles through the first id', () => {
    // a -> b -> c -> d -> a and a -> e -> a.
    expect(findCycles(['a', 'b', 'c', 'd', 'e'], deps({ a: ['b', 'e'], b: ['c'], c: ['d'], d: ['a'], e: ['a'] }))).toEqual([['a', 'e', 'a']]);
  });

  it('skips an already printed step when a later one leads back to it', () => {
    // a -> b -> c, c -> b (already printed) and c -> a (closes).
    expect(findCycles(['a', 'b', 'c'], deps({ a: ['b'], b: ['c'], c: ['b', 'a'] }))).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('groups steps through back edges to steps still on the stack', () => {
    // a -> b -> c -> b, and c -> d -> a: everything is one component.
    const cycles = findCycles(['a', 'b', 'c', 'd'], deps({ a: ['b'], b: ['c'], c: ['b', 'd'], d: ['a'] }));
    expect(cycles).toEqual([['a', 'b', 'c', 'd', 'a']]);
  });

  it('does not join a finished component through a cross edge', () => {
    // a <-> b is one cycle; c -> a and c <-> d are another; c's edge to a crosses into a finished component.
    const cycles = findCycles(['a', 'b', 'c', 'd'], deps({ a: ['b'], b: ['a'], c: ['a', 'd'], d: ['c'] }));
    expect(cycles).toEqual([['a', 'b', 'a'], ['c', 'd', 'c']]);
  });

  it('reports a self-loop once when it is reached from an earlier step', () => {
    expect(findCycles(['b', 'a'], deps({ b: ['a'], a: ['a'] }))).toEqual([['a', 'a']]);
  });

  it('treats ids missing from the dependency map as steps without dependencies', () => {
    expect(findCycles(['a', 'b'], deps({ b: ['a'] }))).toEqual([]);
    expect(findCycles(['a', 'b'], deps({ a: ['outside'], b: ['b', 'outside'] }))).toEqual([['b', 'b']]);
  });
});

describe('criticalPath', () => {
  it('follows the longest chain by number of steps by default', () => {
    const g = buildGraph([step('a'), step('b', { dependsOn: ['a'] }), step('c', { dependsOn: ['b'] }), step('x'), step('y', { dependsOn: ['x', 'c'] })]);
    expect(criticalPath(g)).toEqual({ path: ['a', 'b', 'c', 'y'], weight: 4 });
  });

  it('weighs steps by their expected duration', () => {
    const g = buildGraph([step('fast'), step('slow'), step('end', { dependsOn: ['fast', 'slow'] })]);
    const ms: Record<string, number> = { fast: 10, slow: 500, end: 5 };
    expect(criticalPath(g, (id) => ms[id])).toEqual({ path: ['slow', 'end'], weight: 505 });
  });

  it('on a tie keeps the first dependency and the first declared end', () => {
    const g = buildGraph([step('a'), step('b'), step('c', { dependsOn: ['b', 'a'] }), step('d', { dependsOn: ['a'] }), step('e', { dependsOn: ['b'] })]);
    expect(criticalPath(g)).toEqual({ path: ['b', 'c'], weight: 2 });
  });

  it('picks a later end only when it is strictly heavier', () => {
    const g = buildGraph([step('a'), step('b')]);
    expect(criticalPath(g, (id) => (id === 'b' ? 2 : 1))).toEqual({ path: ['b'], weight: 2 });
    expect(criticalPath(g, (id) => (id === 'a' ? 2 : 1))).toEqual({ path: ['a'], weight: 2 });
  });

  it('ignores dependencies that weigh nothing', () => {
    const g = buildGraph([step('setup'), step('work', { dependsOn: ['setup'] })]);
    expect(criticalPath(g, (id) => (id === 'setup' ? 0 : 3))).toEqual({ path: ['work'], weight: 3 });
  });

  it('is empty for an empty workflow and for a graph with a cycle', () => {
    expect(criticalPath(buildGraph([]))).toEqual({ path: [], weight: 0 });
    expect(criticalPath(buildGraph([step('a', { dependsOn: ['b'] }), step('b', { dependsOn: ['a'] })]))).toEqual({ path: [], weight: 0 });
  });
});
