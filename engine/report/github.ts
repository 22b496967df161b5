import type { Diagnostic, Severity } from '../model/diagnostic.js';

/** GitHub shows at most this many annotations of each type (error, warning, notice) per step. */
export const ANNOTATIONS_PER_TYPE = 10;

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', info: 'notice' };
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Escapes the message (data) part of a workflow command, as @actions/core does. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command property value, as @actions/core does. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * One diagnostic as a workflow command: `::error file=…,line=…,col=…,title=CODE::message`, the hint
 * on the next line of the message.
 * @example annotationCommand({ code: 'WF_X', severity: 'error', message: 'bad', file: 'a.yaml', line: 3, column: 5 })
 * // '::error file=a.yaml,line=3,col=5,title=WF_X::bad'
 */
export function annotationCommand(d: Diagnostic): string {
  const props: string[] = [];
  if (d.file) props.push(`file=${escapeProperty(d.file)}`);
  if (d.file && d.line) props.push(`line=${d.line}`, `col=${d.column ?? 1}`);
  props.push(`title=${escapeProperty(d.code)}`);
  const message = d.hint ? `${d.message}\n${d.hint}` : d.message;
  return `::${COMMAND[d.severity]} ${props.join(',')}::${escapeData(message)}`;
}

/**
 * Diagnostics most important first: by severity, then those with a file position (an annotation
 * can point at the line), then by file, line and column.
 */
export function rankDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      RANK[a.severity] - RANK[b.severity] ||
      Number(!a.file) - Number(!b.file) ||
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.code.localeCompare(b.code),
  );
}

/** Which diagnostics become annotations (the first `perType` of each type, most important first) and which only go to the summary. */
export interface AnnotationSelection {
  annotated: Diagnostic[];
  summaryOnly: Diagnostic[];
}

/**
 * Picks the annotations GitHub will show: at most `perType` errors, warnings and notices each,
 * the most important first; the rest are listed only in the job summary.
 * @example selectAnnotations(diagnostics).annotated.length // ≤ 30
 */
export function selectAnnotations(list: readonly Diagnostic[], perType = ANNOTATIONS_PER_TYPE): AnnotationSelection {
  const used: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const annotated: Diagnostic[] = [];
  const summaryOnly: Diagnostic[] = [];
  for (const d of rankDiagnostics(list)) {
    if (used[d.severity] < perType) {
      used[d.severity]++;
      annotated.push(d);
    } else summaryOnly.push(d);
  }
  return { annotated, summaryOnly };
}

/**
 * The workflow commands for the annotations GitHub shows (see `selectAnnotations`), one per line.
 * @example process.stdout.write(annotationCommands(diagnostics))
 */
export function annotationCommands(list: readonly Diagnostic[], perType = ANNOTATIONS_PER_TYPE): string {
  return selectAnnotations(list, perType).annotated.map((d) => annotationCommand(d) + '\n').join('');
}

export interface SummaryOptions {
  title?: string;
  /** How many files were checked, for the headline. */
  files?: number;
  perType?: number;
  /** Limit on the summary's length (GitHub: 1 MiB per step). */
  maxChars?: number;
}

/**
 * A job summary: the counts, a note on how many diagnostics are not annotated, and a table of
 * every diagnostic (most important first) with its location, code, message and hint.
 * @example appendFileSync(process.env.GITHUB_STEP_SUMMARY!, diagnosticsSummaryMarkdown(diagnostics, { files: 12 }))
 */
export function diagnosticsSummaryMarkdown(list: readonly Diagnostic[], options: SummaryOptions = {}): string {
  const max = options.maxChars ?? 900_000;
  const ranked = rankDiagnostics(list);
  const count = (s: Severity) => list.filter((d) => d.severity === s).length;
  const { summaryOnly } = selectAnnotations(list, options.perType);
  let out = `## ${options.title ?? 'Weft validation'}\n\n`;
  out += `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'notice')}${options.files === undefined ? '' : ` in ${plural(options.files, 'file')}`}.\n\n`;
  if (list.length === 0) return out + 'Every definition is valid.\n';
  if (summaryOnly.length) out += `GitHub shows at most ${options.perType ?? ANNOTATIONS_PER_TYPE} annotations of each type; ${plural(summaryOnly.length, 'diagnostic')} ${summaryOnly.length === 1 ? 'is' : 'are'} listed only below.\n\n`;
  out += '| Severity | Location | Code | Message | Hint |\n| --- | --- | --- | --- | --- |\n';
  let shown = 0;
  for (const d of ranked) {
    const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}` : d.pointer ?? '';
    const row = `| ${d.severity} | ${where ? `\`${cell(where)}\`` : ''} | \`${d.code}\` | ${cell(d.message)} | ${cell(d.hint ?? '')} |\n`;
    if (out.length + row.length > max - 200) break;
    out += row;
    shown++;
  }
  if (shown < ranked.length) out += `\n> ${ranked.length - shown} more ${ranked.length - shown === 1 ? 'diagnostic is' : 'diagnostics are'} not shown: the summary would exceed ${max.toLocaleString('en-US')} characters. Run \`weft validate\` locally for the full list.\n`;
  return out;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * `--format github` for a CLI run inside a workflow: the annotations GitHub shows (see
 * `selectAnnotations`), then the diagnostics past the limit as plain log lines, so none is lost.
 * @example process.stdout.write(formatGithub(diagnostics))
 */
export function formatGithub(list: readonly Diagnostic[], perType = ANNOTATIONS_PER_TYPE): string {
  const { annotated, summaryOnly } = selectAnnotations(list, perType);
  let out = annotated.map((d) => annotationCommand(d) + '\n').join('');
  if (summaryOnly.length) {
    out += `${plural(summaryOnly.length, 'more diagnostic')} (GitHub shows ${perType} annotations of each type):\n`;
    for (const d of summaryOnly) out += `${d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''} ` : ''}${d.severity} ${d.code} ${d.message}\n`;
  }
  return out;
}
