import { sortDiagnostics, type Diagnostic, type Severity } from '../model/diagnostic.js';
import { formatGithub } from './github.js';
import { formatSarif } from './sarif.js';

/** Counts of a diagnostic list, by severity, and how many files were looked at. */
export interface DiagnosticSummary {
  errors: number;
  warnings: number;
  infos: number;
  files: number;
}

export interface ReportContext {
  /** How many files were checked; shown in the summary line. */
  files?: number;
}

type Formatter = (list: readonly Diagnostic[], context: ReportContext) => string;

/**
 * Counts errors, warnings and infos.
 * @example summarize([{ code: 'X', severity: 'error', message: 'm' }]) // { errors: 1, warnings: 0, infos: 0, files: 0 }
 */
export function summarize(list: readonly Diagnostic[], context: ReportContext = {}): DiagnosticSummary {
  const count = (s: Severity) => list.filter((d) => d.severity === s).length;
  return { errors: count('error'), warnings: count('warning'), infos: count('info'), files: context.files ?? new Set(list.map((d) => d.file).filter(Boolean)).size };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `file:line:col severity code message`, the hint on the next line, then a summary line. */
function text(list: readonly Diagnostic[], context: ReportContext): string {
  const lines: string[] = [];
  for (const d of sortDiagnostics([...list])) {
    const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}` : d.pointer ?? '';
    lines.push(`${where ? `${where} ` : ''}${d.severity} ${d.code} ${d.message}`);
    if (d.hint) lines.push(`  hint: ${d.hint}`);
  }
  const s = summarize(list, context);
  const checked = context.files === undefined ? '' : ` in ${plural(s.files, 'file')}`;
  lines.push(`${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}${s.infos ? `, ${plural(s.infos, 'info')}` : ''}${checked}`);
  return lines.join('\n') + '\n';
}

/** `{ diagnostics, summary }` as indented JSON. */
function json(list: readonly Diagnostic[], context: ReportContext): string {
  return JSON.stringify({ diagnostics: sortDiagnostics([...list]), summary: summarize(list, context) }, null, 2) + '\n';
}

const FORMATTERS = { text, json, github: (list) => formatGithub(list), sarif: (list) => formatSarif(list) } satisfies Record<string, Formatter>;

export type ReportFormat = keyof typeof FORMATTERS;

/** The formats `formatDiagnostics` knows, for CLI choices and error messages. */
export const REPORT_FORMATS = Object.keys(FORMATTERS) as ReportFormat[];

export function isReportFormat(value: string): value is ReportFormat {
  return Object.hasOwn(FORMATTERS, value);
}

/**
 * Renders diagnostics for a terminal (`text`), a tool (`json`), GitHub Actions (`github`, shared with
 * the validate action) or code scanning (`sarif`, SARIF 2.1.0).
 * @example formatDiagnostics(diagnostics, 'github', { files: 3 })
 */
export function formatDiagnostics(list: readonly Diagnostic[], format: ReportFormat, context: ReportContext = {}): string {
  return FORMATTERS[format](list, context);
}
