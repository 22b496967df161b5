import { isDeepStrictEqual } from 'node:util';
import type { DefinitionRegistry } from '../load/registry.js';
import { canonicalJson } from '../model/canonical.js';
import { qualifiedName, type Resource, type StepSpec, type WorkflowResource, type WorkflowTaskResource } from '../model/types.js';
import { buildGraph, type GraphEdge } from '../plan/graph.js';
import { compareContracts, outputMapSchema } from './contract.js';
import { workflowMermaid } from './mermaid.js';
import type { ContractChange, DiffReport, EdgeChange, ImpactEntry, Location, ResourceDiff, StepChange } from './types.js';
import { fieldSegments, outputReads, readLabel, touches, usageIndex, type StepUse, type UsageIndex } from './usage.js';
import { diffValues } from './values.js';

/**
 * Compares two definition trees resource by resource. A removed and an added resource of the same
 * kind with identical specs are one rename. Workflows get step, edge and contract changes and a
 * Mermaid graph; tasks get contract changes and their impact: every step in the head tree that
 * uses them, with the changed output fields it reads. A removed output field is breaking only
 * while some step reads it.
 * @example
 * const report = diffTrees(baseRegistry, headRegistry);
 * report.summary // { added: 1, removed: 0, changed: 2, renamed: 0, unchanged: 7, breakingResources: 1, breakingChanges: 1 }
 */
export function diffTrees(base: DefinitionRegistry, head: DefinitionRegistry): DiffReport {
  const uses = usageIndex(head);
  const resources: ResourceDiff[] = [];
  let unchanged = 0;
  for (const kind of ['WorkflowTask', 'Workflow'] as const) {
    const b = kind === 'WorkflowTask' ? base.tasks : base.workflows;
    const h = kind === 'WorkflowTask' ? head.tasks : head.workflows;
    const added: Resource[] = [];
    const removed: Resource[] = [];
    for (const [name, after] of h) {
      const before = b.get(name);
      if (!before) added.push(after);
      else if (isDeepStrictEqual(before.spec, after.spec)) unchanged++;
      else resources.push(changedResource(before, after, uses));
    }
    for (const [name, before] of b) if (!h.has(name)) removed.push(before);
    // A rename: a removed and an added resource with the same spec, paired in name order.
    const removedBySpec = new Map<string, Resource[]>();
    for (const r of removed.sort(byName)) {
      const key = canonicalJson(r.spec);
      removedBySpec.set(key, [...(removedBySpec.get(key) ?? []), r]);
    }
    for (const after of added.sort(byName)) {
      const candidates = removedBySpec.get(canonicalJson(after.spec));
      const before = candidates?.shift();
      if (before) {
        removed.splice(removed.indexOf(before), 1);
        resources.push(renamedResource(before, after, uses));
      } else resources.push(addedResource(after));
    }
    for (const before of removed) resources.push(removedResource(before, uses));
  }
  resources.sort((x, y) => Number(y.breaking.length > 0) - Number(x.breaking.length > 0) || x.kind.localeCompare(y.kind) || x.name.localeCompare(y.name));
  const count = (c: ResourceDiff['change']) => resources.filter((r) => r.change === c).length;
  return {
    summary: {
      added: count('added'),
      removed: count('removed'),
      changed: count('changed'),
      renamed: count('renamed'),
      unchanged,
      breakingResources: resources.filter((r) => r.breaking.length > 0).length,
      breakingChanges: resources.reduce((n, r) => n + r.breaking.length, 0),
    },
    resources,
  };
}

function byName(x: Resource, y: Resource): number {
  return qualifiedName(x).localeCompare(qualifiedName(y));
}

function locationOf(r: Resource, pointer = '/metadata/name'): Location {
  const p = r.source.locate(pointer);
  return { file: p.file, line: p.line, column: p.column };
}

function addedResource(r: Resource): ResourceDiff {
  return { kind: r.kind, name: qualifiedName(r), change: 'added', location: locationOf(r), breaking: [], fields: [], contract: [] };
}

function removedResource(r: Resource, uses: UsageIndex): ResourceDiff {
  const impact = impactOf(r, uses, [], true);
  const breaking: string[] = [];
  if (impact.length) breaking.push(`Removed ${r.kind} '${qualifiedName(r)}' is still used by ${impact.map((i) => `${i.workflow}/${i.step}`).join(', ')}.`);
  else if (r.kind === 'Workflow') breaking.push(`Removed Workflow '${qualifiedName(r)}': callers of its execute endpoint get 404.`);
  return { kind: r.kind, name: qualifiedName(r), change: 'removed', location: locationOf(r), breaking, fields: [], contract: [], ...(impact.length ? { impact } : {}) };
}

function renamedResource(before: Resource, after: Resource, uses: UsageIndex): ResourceDiff {
  const impact = impactOf(before, uses, [], true);
  const breaking: string[] = [];
  const old = qualifiedName(before);
  if (impact.length) breaking.push(`Renamed from '${old}', which is still used by ${impact.map((i) => `${i.workflow}/${i.step}`).join(', ')}.`);
  else if (after.kind === 'Workflow') breaking.push(`Renamed from '${old}': callers of the old name get 404.`);
  return { kind: after.kind, name: qualifiedName(after), change: 'renamed', renamedFrom: old, location: locationOf(after), breaking, fields: [], contract: [], ...(impact.length ? { impact } : {}) };
}

function changedResource(before: Resource, after: Resource, uses: UsageIndex): ResourceDiff {
  if (before.kind === 'WorkflowTask') return changedTask(before, after as WorkflowTaskResource, uses);
  return changedWorkflow(before, after as WorkflowResource, uses);
}

function changedTask(before: WorkflowTaskResource, after: WorkflowTaskResource, uses: UsageIndex): ResourceDiff {
  const contract = [
    ...compareContracts('input', before.spec.inputSchema, after.spec.inputSchema),
    ...compareContracts('output', before.spec.outputSchema, after.spec.outputSchema),
  ];
  const stepUses = uses.get(`WorkflowTask/${qualifiedName(after)}`) ?? [];
  markReaders(contract, stepUses);
  // A task output field only breaks the steps that read it: a removal nobody reads is safe.
  for (const c of contract) {
    if (c.contract !== 'output' || !c.breaking) continue;
    if (!c.readBy?.length) {
      c.breaking = false;
      c.reason += ' No step reads it.';
    } else c.reason += ` Read by ${c.readBy.join(', ')}.`;
  }
  const impact = impactOf(after, uses, contract);
  return {
    kind: 'WorkflowTask',
    name: qualifiedName(after),
    change: 'changed',
    location: locationOf(after),
    breaking: breakingReasons(contract),
    fields: diffValues(before.spec, after.spec),
    contract,
    ...(impact.length ? { impact } : {}),
  };
}

function changedWorkflow(before: WorkflowResource, after: WorkflowResource, uses: UsageIndex): ResourceDiff {
  const contract = [
    ...compareContracts('input', before.spec.input, after.spec.input),
    ...compareContracts('output', outputMapSchema(before.spec.output), outputMapSchema(after.spec.output)),
  ];
  const stepUses = uses.get(`Workflow/${qualifiedName(after)}`) ?? [];
  markReaders(contract, stepUses);
  const { tasks: stepsBefore, ...restBefore } = before.spec;
  const { tasks: stepsAfter, ...restAfter } = after.spec;
  const steps = diffSteps(asSteps(stepsBefore), asSteps(stepsAfter), after);
  const headEdges = buildGraph(asSteps(stepsAfter)).edges;
  const edges = diffEdges(buildGraph(asSteps(stepsBefore)).edges, headEdges);
  const impact = impactOf(after, uses, contract);
  return {
    kind: 'Workflow',
    name: qualifiedName(after),
    change: 'changed',
    location: locationOf(after),
    breaking: breakingReasons(contract),
    fields: diffValues(restBefore, restAfter),
    contract,
    steps,
    edges,
    ...(impact.length ? { impact } : {}),
    mermaid: workflowMermaid(asSteps(stepsBefore), asSteps(stepsAfter), steps, edges, headEdges),
  };
}

function asSteps(v: unknown): StepSpec[] {
  return Array.isArray(v) ? (v as StepSpec[]).filter((s) => s && typeof s === 'object' && typeof s.id === 'string') : [];
}

function diffSteps(before: StepSpec[], after: StepSpec[], head: WorkflowResource): StepChange[] {
  const mb = new Map(before.map((s) => [s.id, s]));
  const ma = new Map(after.map((s) => [s.id, s]));
  const out: StepChange[] = [];
  after.forEach((s, i) => {
    const old = mb.get(s.id);
    const location = locationOf(head, `/spec/tasks/${i}/id`);
    if (!old) out.push({ id: s.id, change: 'added', fields: [], location });
    else {
      const fields = diffValues(old, s);
      if (fields.length) out.push({ id: s.id, change: 'changed', fields, location });
    }
  });
  for (const s of before) if (!ma.has(s.id)) out.push({ id: s.id, change: 'removed', fields: [] });
  return out;
}

function diffEdges(eb: readonly GraphEdge[], ea: readonly GraphEdge[]): EdgeChange[] {
  const key = (e: { from: string; to: string }) => `${e.from}\u0000${e.to}`;
  const kb = new Set(eb.map(key));
  const ka = new Set(ea.map(key));
  return [
    ...ea.filter((e) => !kb.has(key(e))).map((e) => ({ from: e.from, to: e.to, change: 'gained' as const })),
    ...eb.filter((e) => !ka.has(key(e))).map((e) => ({ from: e.from, to: e.to, change: 'lost' as const })),
  ];
}

/** Sets `readBy` on each output change: the steps whose workflow reads that field of their output. */
function markReaders(contract: ContractChange[], stepUses: StepUse[]): void {
  for (const c of contract) {
    if (c.contract !== 'output') continue;
    const field = fieldSegments(c.field);
    const readers: string[] = [];
    for (const u of stepUses) {
      const reads = outputReads(u.workflow).get(u.step.id) ?? [];
      if (reads.some((r) => touches(r, field))) readers.push(`${qualifiedName(u.workflow)}/${u.stepPath}`);
    }
    c.readBy = readers;
  }
}

/**
 * The steps that use `r`, what they read of its output, and which of those reads the change
 * affects: the changed output fields for a changed resource, everything read for a removed or
 * renamed one (`gone`).
 */
function impactOf(r: Resource, uses: UsageIndex, contract: ContractChange[], gone = false): ImpactEntry[] {
  const outputChanges = contract.filter((c) => c.contract === 'output' && c.change !== 'field-added');
  return (uses.get(`${r.kind}/${qualifiedName(r)}`) ?? []).map((u) => {
    const reads = outputReads(u.workflow).get(u.step.id) ?? [];
    const labels = [...new Set(reads.map(readLabel))].sort();
    const affected = gone ? (labels.length ? labels : ['(whole output)']) : outputChanges.filter((c) => reads.some((p) => touches(p, fieldSegments(c.field)))).map((c) => c.field || '(whole output)');
    return { workflow: qualifiedName(u.workflow), step: u.stepPath, reads: labels, affected: [...new Set(affected)], location: locationOf(u.workflow, u.refPointer) };
  });
}

function breakingReasons(contract: ContractChange[]): string[] {
  return contract.filter((c) => c.breaking).map((c) => `${c.contract} ${c.field || '(whole value)'}: ${c.change} — ${c.reason}`);
}
