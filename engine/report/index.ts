import { sortDiagnostics, type Diagnostic, type Severity } from '../model/diagnostic.js';

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

const GITHUB_COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** Escapes a workflow command's message (data) part. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value. */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One GitHub Actions workflow command per diagnostic: `::error file=…,line=…,col=…,title=CODE::message`. */
function github(list: readonly Diagnostic[]): string {
  return sortDiagnostics([...list])
    .map((d) => {
      const props: string[] = [];
      if (d.file) props.push(`file=${escapeProperty(d.file)}`);
      if (d.file && d.line) props.push(`line=${d.line}`, `col=${d.column ?? 1}`);
      props.push(`title=${escapeProperty(d.code)}`);
      const message = d.hint ? `${d.message}\n${d.hint}` : d.message;
      return `::${GITHUB_COMMAND[d.severity]} ${props.join(',')}::${escapeData(message)}\n`;
    })
    .join('');
}

const FORMATTERS = { text, json, github } satisfies Record<string, Formatter>;

export type ReportFormat = keyof typeof FORMATTERS;

/** The formats `formatDiagnostics` knows, for CLI choices and error messages. */
export const REPORT_FORMATS = Object.keys(FORMATTERS) as ReportFormat[];

export function isReportFormat(value: string): value is ReportFormat {
  return Object.hasOwn(FORMATTERS, value);
}

/**
 * Renders diagnostics for a terminal (`text`), a tool (`json`) or GitHub Actions (`github`).
 * @example formatDiagnostics(diagnostics, 'github', { files: 3 })
 */
export function formatDiagnostics(list: readonly Diagnostic[], format: ReportFormat, context: ReportContext = {}): string {
  return FORMATTERS[format](list, context);
}
