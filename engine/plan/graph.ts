import type { StepSpec } from '../model/types.js';
import { referencedSteps } from './refs.js';

export interface GraphEdge {
  from: string;
  to: string;
  /** `dependsOn`, `template`, or both. */
  via: 'dependsOn' | 'template' | 'both';
}

/** The dependency graph of one list of sibling steps. */
export interface StepGraph {
  ids: string[];
  edges: GraphEdge[];
  /** For each step, the steps it waits for (deduplicated, only ids that exist). */
  dependencies: Map<string, string[]>;
  dependents: Map<string, string[]>;
  /** Cycles found, each as the list of ids in order with the first repeated at the end. */
  cycles: string[][];
  /** Longest-path level of each step (0 = no dependencies); empty when there is a cycle. */
  levels: string[][];
}

/**
 * Builds the graph of sibling steps from `dependsOn` and every `tasks.X` reference. References to
 * ids that are not siblings (outer steps seen from a nested list) are not edges here.
 * @example buildGraph([{ id: 'a' }, { id: 'b', dependsOn: ['a'] }]).levels // [['a'], ['b']]
 */
export function buildGraph(steps: readonly StepSpec[]): StepGraph {
  const ids = steps.map((s) => s.id);
  const known = new Set(ids);
  const dependencies = new Map<string, string[]>();
  const dependents = new Map<string, string[]>(ids.map((id) => [id, []]));
  const edges: GraphEdge[] = [];
  for (const s of steps) {
    const explicit = new Set(s.dependsOn?.filter((d) => known.has(d)));
    const implicit = new Set(referencedSteps(s).filter((d) => known.has(d) && d !== s.id));
    const all = [...new Set([...explicit, ...implicit])];
    dependencies.set(s.id, all);
    for (const d of all) {
      dependents.get(d)!.push(s.id);
      edges.push({ from: d, to: s.id, via: explicit.has(d) && implicit.has(d) ? 'both' : explicit.has(d) ? 'dependsOn' : 'template' });
    }
  }
  const cycles = findCycles(ids, dependencies);
  const levels = cycles.length ? [] : computeLevels(ids, dependencies);
  return { ids, edges, dependencies, dependents, cycles, levels };
}

/** Finds each cycle once: Tarjan's strongly connected components, each printed as the shortest cycle through its first declared id. */
export function findCycles(ids: readonly string[], deps: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  // Stryker disable next-line ArrayDeclaration: an extra element under the first root is never popped
  const stack: string[] = [];
  const on = new Set<string>();
  const sccs: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    // A callee that is not in ids (a call to a workflow outside the set) has no entry.
    deps.get(v)?.forEach((w) => {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    });
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || deps.get(v)?.includes(v)) sccs.push(comp);
    }
  };
  for (const id of ids) if (!idx.has(id)) strong(id);
  // For each component, print the shortest cycle through its first id (in declaration order),
  // found breadth-first inside the component. Edges point from a step to what it waits for, so the
  // cycle reads in "waits for" order.
  return sccs.map((comp) => {
    const inComp = new Set(comp);
    const start = ids.find((id) => inComp.has(id))!;
    const cameFrom = new Map<string, string>();
    const queue = [start];
    let last = start;
    search: for (const cur of queue) {
      for (const next of deps.get(cur)!) {
        if (next === start) {
          last = cur;
          break search;
        }
        if (inComp.has(next) && !cameFrom.has(next)) {
          cameFrom.set(next, cur);
          queue.push(next);
        }
      }
    }
    const path = [start];
    for (let at = last; at !== start; at = cameFrom.get(at)!) path.splice(1, 0, at);
    path.push(start);
    return path;
  });
}

function computeLevels(ids: readonly string[], deps: ReadonlyMap<string, readonly string[]>): string[][] {
  const level = new Map<string, number>();
  const visit = (id: string): number => {
    const known = level.get(id);
    if (known !== undefined) return known;
    let l = 0;
    for (const d of deps.get(id)!) l = Math.max(l, visit(d) + 1);
    level.set(id, l);
    return l;
  };
  const levels: string[][] = [];
  for (const id of ids) {
    const l = visit(id);
    (levels[l] ??= []).push(id);
  }
  return levels;
}

/**
 * The longest chain of dependencies, weighted by each step's expected duration (1 per step by
 * default). Returns the ids from first to last and the total weight.
 */
export function criticalPath(graph: StepGraph, weight: (id: string) => number = () => 1): { path: string[]; weight: number } {
  if (graph.cycles.length || graph.ids.length === 0) return { path: [], weight: 0 };
  const best = new Map<string, { w: number; prev?: string }>();
  for (const level of graph.levels) {
    for (const id of level) {
      let w = 0;
      let prev: string | undefined;
      for (const d of graph.dependencies.get(id)!) {
        const b = best.get(d)!;
        if (b.w > w) {
          w = b.w;
          prev = d;
        }
      }
      best.set(id, { w: w + weight(id), prev });
    }
  }
  let end = graph.ids[0];
  for (const id of graph.ids) if (best.get(id)!.w > best.get(end)!.w) end = id;
  const path: string[] = [];
  for (let cur: string | undefined = end; cur; cur = best.get(cur)!.prev) path.unshift(cur);
  return { path, weight: best.get(end)!.w };
}
