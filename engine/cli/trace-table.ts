import type { StepTrace } from '../run/trace.js';

/**
 * Milliseconds as `0.42ms`, `12.3ms` or `1.20s`; `-` when unknown.
 * @example formatMs(1234) // '1.23s'
 */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 10) return `${ms.toFixed(1)}ms`;
  return `${ms.toFixed(2)}ms`;
}

const HEADER = ['STEP', 'STATUS', 'ATTEMPTS', 'WAIT', 'DURATION', 'HTTP', 'NOTE'];

/**
 * The per-step timing table of a run: step, status, attempts, wait, duration, HTTP status, and a
 * note (why a step was skipped, the error code of a failed one). Nested steps (forEach iterations, groups,
 * sub-workflow steps) are indented under their parent.
 */
export function traceTable(steps: readonly StepTrace[]): string {
  const rows: string[][] = [];
  const walk = (list: readonly StepTrace[], depth: number) => {
    for (const s of list) {
      const name = `${'  '.repeat(depth)}${s.index !== undefined ? `[${s.index}]` : s.id}`;
      const note = s.status === 'skipped' ? (s.reason ?? '') : (s.error?.code ?? '');
      rows.push([name, s.status, s.attempts?.length ? String(s.attempts.length) : '-', formatMs(s.waitMs), formatMs(s.durationMs), s.httpStatus ? String(s.httpStatus) : '-', note]);
      if (s.children) walk(s.children, depth + 1);
    }
  };
  walk(steps, 0);
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}
