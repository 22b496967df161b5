import type { StepSpec } from '../model/types.js';
import { buildGraph, type GraphEdge } from '../plan/graph.js';
import type { EdgeChange, StepChange } from './types.js';

/**
 * A Mermaid flowchart of a workflow's head steps plus the steps it lost: added, changed and
 * removed steps carry the classes `added`, `changed`, `removed`; gained edges are thick and
 * lost edges dotted, both labelled. `headEdges` saves rebuilding the head graph when the caller has it.
 * @example workflowMermaid(baseSteps, headSteps, report.steps, report.edges)
 * // 'flowchart LR\n  s0["fetch-user"]\n  s1["assess"]:::changed\n  s0 --> s1\n …'
 */
export function workflowMermaid(before: StepSpec[], after: StepSpec[], steps: StepChange[], edges: EdgeChange[], headEdges: readonly GraphEdge[] = buildGraph(after).edges): string {
  const change = new Map(steps.map((s) => [s.id, s.change]));
  const ids = [...after.map((s) => s.id), ...before.filter((s) => change.get(s.id) === 'removed').map((s) => s.id)];
  const node = new Map(ids.map((id, i) => [id, `s${i}`]));
  const lines = ['flowchart LR'];
  for (const id of ids) {
    const c = change.get(id);
    lines.push(`  ${node.get(id)}["${label(id)}"]${c ? `:::${c}` : ''}`);
  }
  const gained = new Set(edges.filter((e) => e.change === 'gained').map((e) => `${e.from}\u0000${e.to}`));
  for (const e of headEdges) {
    const arrow = gained.has(`${e.from}\u0000${e.to}`) ? '==>|added|' : '-->';
    lines.push(`  ${node.get(e.from)} ${arrow} ${node.get(e.to)}`);
  }
  for (const e of edges) if (e.change === 'lost' && node.has(e.from) && node.has(e.to)) lines.push(`  ${node.get(e.from)} -.->|removed| ${node.get(e.to)}`);
  lines.push(
    '  classDef added fill:#dafbe1,stroke:#1a7f37,color:#0d3b1e',
    '  classDef changed fill:#fff8c5,stroke:#9a6700,color:#3b2300',
    '  classDef removed fill:#ffebe9,stroke:#cf222e,color:#5c0b0b,stroke-dasharray:4 3',
  );
  return lines.join('\n');
}

/** A step id as a Mermaid label: quotes and markup characters as entities. */
function label(id: string): string {
  return id.replace(/["<>&#]/g, (c) => `#${c.charCodeAt(0)};`);
}
