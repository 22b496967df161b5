import type { StepTrace } from '../run/trace.js';
import { maskSecrets } from './mask.js';
import type { StepRecordsTable } from './schema.js';

/** Fields of a step trace kept in the `detail` column; empty arrays are kept as a count of 0. */
interface StepDetail {
  method?: string;
  reason?: string;
  matched?: string;
  index?: number;
  workflowRef?: string;
  executionId?: string;
  children?: 0;
}

/** JSON text of a value with secrets masked; `undefined` stays SQL NULL. */
export function maskedJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(maskSecrets(value));
}

export function parseJson(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

/**
 * The step rows of a trace: nested steps (forEach items, group members, child-run steps)
 * flattened depth first, each with the path of its place in the tree (`process[3].charge`).
 */
export function flattenTrace(executionId: string, steps: readonly StepTrace[]): StepRecordsTable[] {
  const rows: StepRecordsTable[] = [];
  const visit = (t: StepTrace, path: string, parentSeq: number | null) => {
    const seq = rows.length;
    const detail: StepDetail = {};
    if (t.method !== undefined) detail.method = t.method;
    if (t.reason !== undefined) detail.reason = t.reason;
    if (t.matched !== undefined) detail.matched = t.matched;
    if (t.index !== undefined) detail.index = t.index;
    if (t.workflowRef !== undefined) detail.workflowRef = t.workflowRef;
    if (t.executionId !== undefined) detail.executionId = t.executionId;
    if (t.children?.length === 0) detail.children = 0;
    rows.push({
      execution_id: executionId,
      seq,
      parent_seq: parentSeq,
      path,
      step_id: t.id,
      kind: t.kind,
      status: t.status,
      task_ref: t.taskRef ?? null,
      attempt: t.attempts?.length ? t.attempts[t.attempts.length - 1].attempt : 0,
      ready_at: t.readyAt ?? null,
      started_at: t.startedAt ?? null,
      ended_at: t.endedAt ?? null,
      duration_ms: t.durationMs ?? null,
      wait_ms: t.waitMs ?? null,
      http_status: t.httpStatus ?? null,
      url: t.url ?? null,
      error: maskedJson(t.error),
      attempts: t.attempts ? (t.attempts.some((a) => a.error) ? maskedJson(t.attempts) : JSON.stringify(t.attempts)) : null,
      detail: Object.keys(detail).length ? JSON.stringify(detail) : null,
    });
    for (const c of t.children ?? []) visit(c, childPath(path, t, c), seq);
  };
  for (const t of steps) visit(t, t.id, null);
  return rows;
}

/** A forEach item `process[3]` under `process` continues the path as `process[3]`; others add `.id`. */
function childPath(parentPath: string, parent: StepTrace, child: StepTrace): string {
  if (child.index !== undefined && child.id === `${parent.id}[${child.index}]`) return `${parentPath}[${child.index}]`;
  return `${parentPath}.${child.id}`;
}

/** The nested trace back from its rows (in any order). */
export function rebuildTrace(rows: readonly StepRecordsTable[]): StepTrace[] {
  const bySeq = new Map<number, StepTrace>();
  const roots: StepTrace[] = [];
  for (const r of [...rows].sort((x, y) => x.seq - y.seq)) {
    const detail = (r.detail === null ? {} : JSON.parse(r.detail)) as StepDetail;
    const t: StepTrace = { id: r.step_id, kind: r.kind as StepTrace['kind'], status: r.status as StepTrace['status'] };
    if (r.task_ref !== null) t.taskRef = r.task_ref;
    if (detail.workflowRef !== undefined) t.workflowRef = detail.workflowRef;
    if (r.ready_at !== null) t.readyAt = r.ready_at;
    if (r.started_at !== null) t.startedAt = r.started_at;
    if (r.ended_at !== null) t.endedAt = r.ended_at;
    if (r.duration_ms !== null) t.durationMs = r.duration_ms;
    if (r.wait_ms !== null) t.waitMs = r.wait_ms;
    if (r.attempts !== null) t.attempts = JSON.parse(r.attempts);
    if (r.http_status !== null) t.httpStatus = r.http_status;
    if (r.url !== null) t.url = r.url;
    if (detail.method !== undefined) t.method = detail.method;
    if (r.error !== null) t.error = JSON.parse(r.error);
    if (detail.reason !== undefined) t.reason = detail.reason;
    if (detail.matched !== undefined) t.matched = detail.matched;
    if (detail.children === 0) t.children = [];
    if (detail.index !== undefined) t.index = detail.index;
    if (detail.executionId !== undefined) t.executionId = detail.executionId;
    bySeq.set(r.seq, t);
    const parent = r.parent_seq === null ? undefined : bySeq.get(r.parent_seq);
    if (parent) (parent.children ??= []).push(t);
    else roots.push(t);
  }
  return roots;
}
