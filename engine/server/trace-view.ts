import type { StepSpec } from '../model/types.js';
import { buildGraph } from '../plan/graph.js';
import type { StepTrace } from '../run/trace.js';

/** A child workflow run inside a trace. */
export interface ChildRun {
  /** Where the step sits in the trace (`enrich`, `process[2].enrich`). */
  path: string;
  step: string;
  workflow?: string;
  executionId?: string;
  status: StepTrace['status'];
}

/** What a stored trace says about how a run used its time. */
export interface TraceAnalysis {
  /** Top-level step ids by dependency level, from the definition that ran; undefined when that version is unknown. */
  plannedGroups?: string[][];
  /** Top-level step ids that ran at the same time: sets of steps whose start-to-end intervals overlap. */
  actualGroups: string[][];
  /** Time steps spent ready but not started (limits, scheduling), summed over every step; and the longest single wait. */
  waitMs: { total: number; max: number; step?: string };
  childRuns: ChildRun[];
}

/**
 * Planned against actual parallelism of a run, its waits and its child runs.
 * @example analyzeTrace(steps, workflow.spec.tasks).actualGroups // [['user', 'cart'], ['charge']]
 */
export function analyzeTrace(steps: readonly StepTrace[], plannedSteps?: readonly StepSpec[]): TraceAnalysis {
  const analysis: TraceAnalysis = { actualGroups: actualGroups(steps), waitMs: { total: 0, max: 0 }, childRuns: [] };
  if (plannedSteps) analysis.plannedGroups = buildGraph(plannedSteps).levels.map((l) => [...l]);
  const walk = (list: readonly StepTrace[], prefix: string) => {
    for (const s of list) {
      const path = prefix ? (s.index !== undefined && s.id.endsWith(`[${s.index}]`) ? `${prefix}[${s.index}]` : `${prefix}.${s.id}`) : s.id;
      if (s.waitMs !== undefined) {
        analysis.waitMs.total += s.waitMs;
        if (s.waitMs > analysis.waitMs.max) {
          analysis.waitMs.max = s.waitMs;
          analysis.waitMs.step = path;
        }
      }
      if (s.kind === 'workflow') analysis.childRuns.push({ path, step: s.id, ...(s.workflowRef ? { workflow: s.workflowRef } : {}), ...(s.executionId ? { executionId: s.executionId } : {}), status: s.status });
      if (s.children) walk(s.children, path);
    }
  };
  walk(steps, '');
  analysis.waitMs.total = round(analysis.waitMs.total);
  analysis.waitMs.max = round(analysis.waitMs.max);
  return analysis;
}

/** Sweeps the steps that ran in start order; a step joins the current group while it starts before the group's last end. */
function actualGroups(steps: readonly StepTrace[]): string[][] {
  const ran = steps.filter((s) => s.status !== 'skipped' && s.startedAt !== undefined && s.endedAt !== undefined).sort((a, b) => a.startedAt! - b.startedAt! || a.id.localeCompare(b.id));
  const groups: string[][] = [];
  let end = -Infinity;
  for (const s of ran) {
    if (groups.length && s.startedAt! < end) {
      groups[groups.length - 1].push(s.id);
      end = Math.max(end, s.endedAt!);
    } else {
      groups.push([s.id]);
      end = s.endedAt!;
    }
  }
  return groups;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
