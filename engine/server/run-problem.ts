import type { Diagnostic } from '../model/diagnostic.js';
import { executionResultJson, type ExecutionResult, type StepTrace } from '../run/trace.js';
import { problem, type Problem } from './problem.js';

/** The 502 problem of a run that did not succeed: the step error leads, the whole execution follows. */
export function runProblem(result: ExecutionResult): Problem {
  const err = result.error;
  const code = err?.code ?? (result.status === 'timed_out' ? 'WF_RUN_TIMEOUT' : result.status === 'cancelled' ? 'WF_RUN_CANCELLED' : 'WF_RUN_FAILED');
  const detail = err ? (err.step ? `Step '${err.step}' failed: ${err.message}` : err.message) : `The run ended ${result.status}`;
  const errors: Diagnostic[] = [];
  result.steps.forEach((s, i) => collectFailures(s, `/execution/trace/${i}`, errors));
  return problem(502, code, detail, {
    title: result.status === 'timed_out' ? 'Workflow timed out' : 'Workflow run failed',
    hint: err?.hint ?? (result.status === 'cancelled' ? 'The run was stopped before it finished; run it again if its outcome is still needed.' : `The execution's trace shows each step's status and error; GET /api/v1/executions/${encodeURIComponent(result.executionId)}/trace shows it later when history is on.`),
    errors,
    execution: executionResultJson(result),
  });
}

function collectFailures(s: StepTrace, pointer: string, out: Diagnostic[]): void {
  if (s.status !== 'failed' || !s.error) return;
  const nested = s.children?.some((c) => c.status === 'failed' && c.error);
  if (nested && s.kind !== 'forEach') {
    s.children!.forEach((c, i) => collectFailures(c, `${pointer}/children/${i}`, out));
    return;
  }
  out.push({ code: s.error.code, severity: 'error', message: `Step '${s.id}' failed: ${s.error.message}`, ...(s.error.hint ? { hint: s.error.hint } : {}), pointer });
}
