import type { Diagnostic, Severity } from '../model/diagnostic.js';
import type { DiffReport } from './types.js';

/**
 * The breaking changes of a report as diagnostics, so that they print and annotate like any other:
 * `WF_DIFF_BREAKING` at the changed resource, one per reason, and `WF_DIFF_BREAKING_USE` at each
 * step that reads a changed or removed output field.
 * @example breakingDiagnostics(report, 'warning').map(formatDiagnostic)
 */
export function breakingDiagnostics(report: DiffReport, severity: Severity = 'warning'): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of report.resources) {
    if (!r.breaking.length) continue;
    const label = `${r.kind === 'WorkflowTask' ? 'Task' : 'Workflow'} '${r.name}'`;
    for (const reason of r.breaking) {
      out.push({ code: 'WF_DIFF_BREAKING', severity, message: `Breaking change to ${label}: ${reason}`, hint: 'Update the users of this resource in the same change, or keep the old contract alongside the new one.', resource: `${r.kind}/${r.name}`, ...(r.location ?? {}) });
    }
    for (const i of r.impact ?? []) {
      if (!i.affected.length) continue;
      out.push({
        code: 'WF_DIFF_BREAKING_USE',
        severity,
        message: `Step '${i.step}' of workflow '${i.workflow}' reads ${i.affected.map((f) => `'${f}'`).join(', ')} of ${label}, which this change ${r.change === 'changed' ? 'alters' : r.change === 'renamed' ? 'renames' : 'removes'}.`,
        hint: 'Change the step (or its readers) to the new contract.',
        resource: `Workflow/${i.workflow}`,
        ...(i.location ?? {}),
      });
    }
  }
  return out;
}
