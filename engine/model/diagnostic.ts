/** Where a value came from: a file and a 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

export type Severity = 'error' | 'warning' | 'info';

/**
 * The one error model: printed as a CLI line, written as a GitHub annotation,
 * returned as a problem+json `errors[]` entry.
 */
export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  file?: string;
  line?: number;
  column?: number;
  /** JSON pointer of the offending field inside its resource or request body. */
  pointer?: string;
  /** `kind/namespace/name` of the resource the diagnostic is about, when there is one. */
  resource?: string;
}

/**
 * Formats a diagnostic as `file:line:col severity code message (hint)`.
 * @example formatDiagnostic({ code: 'WF_X', severity: 'error', message: 'bad', file: 'a.yaml', line: 3, column: 5 })
 * // 'a.yaml:3:5 error WF_X bad'
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''} ` : d.pointer ? `${d.pointer} ` : '';
  return `${where}${d.severity} ${d.code} ${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`;
}

/** Orders diagnostics by file, line, column, then severity (errors first). */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return [...list].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      rank[a.severity] - rank[b.severity],
  );
}

export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some((d) => d.severity === 'error');
}

/** An error that carries diagnostics; thrown at boundaries (load, request parsing), never on the hot path. */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'DiagnosticError';
  }
}
