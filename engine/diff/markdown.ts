import type { ContractChange, DiffReport, FieldChange, ResourceDiff } from './types.js';

export interface DiffMarkdownOptions {
  /** Hard limit on the length of the result (GitHub comments: 65,536). Default: no limit. */
  maxChars?: number;
  /** Text placed first, counted in `maxChars` (the sticky comment's hidden marker). */
  prefix?: string;
  /** Heading of the report. */
  title?: string;
  /** Where the full report can be read when this one is cut, e.g. a link to the job summary. */
  fullReportHint?: string;
}

/** Room kept free for the truncation note. */
const NOTE_RESERVE = 600;
const KIND_LABEL: Record<ResourceDiff['kind'], string> = { Workflow: 'Workflow', WorkflowTask: 'Task' };
const CHANGE_ICON: Record<ResourceDiff['change'], string> = { added: '🟢 added', removed: '🔴 removed', changed: '🟡 changed', renamed: '🔵 renamed' };

/**
 * Renders a diff report as GitHub-flavoured Markdown: a summary line, the breaking changes, a
 * table of changed resources, then one section per resource (steps, dependency edges, contract,
 * impact, Mermaid graph, field changes). When `maxChars` would be exceeded, whole blocks are left
 * out from the end (a section first shrinks to its compact form) and a note says how many of each
 * were not shown.
 * @example renderDiffMarkdown(report, { maxChars: 65536, prefix: '<!-- weft-diff -->\n' })
 */
export function renderDiffMarkdown(report: DiffReport, options: DiffMarkdownOptions = {}): string {
  const max = options.maxChars ?? Infinity;
  const s = report.summary;
  const head: string[] = [];
  head.push(`${options.prefix ?? ''}## ${options.title ?? 'Weft definition changes'}\n`);
  const changedCount = s.added + s.removed + s.changed + s.renamed;
  if (changedCount === 0) {
    head.push(`No task or workflow changed (${s.unchanged} unchanged).\n`);
    return head.join('\n');
  }
  head.push(
    `**${plural(changedCount, 'resource')} changed**: ${s.added} added, ${s.removed} removed, ${s.changed} changed, ${s.renamed} renamed; ${s.unchanged} unchanged. ` +
      (s.breakingChanges ? `**⚠️ ${plural(s.breakingChanges, 'breaking change')}** in ${plural(s.breakingResources, 'resource')}.` : 'No breaking change.') +
      '\n',
  );

  const groups: Array<{ name: string; heading?: string; blocks: Array<{ full: string; compact?: string }> }> = [];
  const breaking = report.resources.flatMap((r) => r.breaking.map((reason) => `- **${KIND_LABEL[r.kind]} \`${r.name}\`**: ${inline(reason)}\n`));
  if (breaking.length) groups.push({ name: 'breaking changes', heading: '### ⚠️ Breaking changes\n\n', blocks: breaking.map((full) => ({ full })) });
  groups.push({
    name: 'table rows',
    heading: '### Changed resources\n\n| Kind | Name | Change | Breaking | Where |\n| --- | --- | --- | --- | --- |\n',
    blocks: report.resources.map((r) => ({ full: `| ${KIND_LABEL[r.kind]} | \`${cell(r.name)}\`${r.renamedFrom ? ` (was \`${cell(r.renamedFrom)}\`)` : ''} | ${CHANGE_ICON[r.change]} | ${r.breaking.length ? `⚠️ ${r.breaking.length}` : '—'} | ${r.location ? `\`${cell(`${r.location.file}:${r.location.line}`)}\`` : ''} |\n` })),
  });
  groups.push({ name: 'resource sections', blocks: report.resources.filter(hasDetails).map((r) => ({ full: section(r, true), compact: section(r, false) })) });

  let out = head.join('\n');
  const limit = max - NOTE_RESERVE;
  const left: string[] = [];
  let full = true;
  for (const g of groups) {
    if (!full) {
      left.push(`${g.blocks.length} of ${g.blocks.length} ${g.name}`);
      continue;
    }
    if (out.length + (g.heading?.length ?? 0) + 1 > limit) {
      full = false;
      left.push(`${g.blocks.length} of ${g.blocks.length} ${g.name}`);
      continue;
    }
    out += '\n' + (g.heading ?? '');
    let shown = 0;
    let compacted = 0;
    for (const b of g.blocks) {
      if (out.length + b.full.length <= limit) out += b.full;
      else if (b.compact && out.length + b.compact.length <= limit) {
        out += b.compact;
        compacted++;
      } else break;
      shown++;
    }
    if (compacted) left.push(`the details of ${compacted} of ${g.blocks.length} ${g.name} (shown in compact form)`);
    if (shown < g.blocks.length) {
      full = false;
      left.push(`${g.blocks.length - shown} of ${g.blocks.length} ${g.name}`);
    }
  }
  if (left.length) {
    out += `\n> **Truncated to fit ${Number.isFinite(max) ? `${max.toLocaleString('en-US')} characters` : 'the limit'}.** Not shown: ${left.join('; ')}.${options.fullReportHint ? ` ${options.fullReportHint}` : ''}\n`;
  }
  return out.length <= max ? out : out.slice(0, max);
}

function hasDetails(r: ResourceDiff): boolean {
  return r.fields.length > 0 || r.contract.length > 0 || (r.steps?.length ?? 0) > 0 || (r.edges?.length ?? 0) > 0 || (r.impact?.length ?? 0) > 0;
}

function section(r: ResourceDiff, full: boolean): string {
  const lines: string[] = [];
  const where = r.location ? ` — \`${r.location.file}:${r.location.line}\`` : '';
  lines.push(`### ${KIND_LABEL[r.kind]} \`${r.name}\` (${r.change}${r.renamedFrom ? ` from \`${r.renamedFrom}\`` : ''})${where}\n`);
  if (r.steps?.length) {
    lines.push('| Step | Change | Fields |', '| --- | --- | --- |');
    for (const st of r.steps) lines.push(`| \`${cell(st.id)}\` | ${st.change} | ${st.fields.length ? cell(st.fields.map((f) => fieldText(f, full)).join('; ')) : ''} |`);
    lines.push('');
  }
  if (r.edges?.length) {
    const gained = r.edges.filter((e) => e.change === 'gained').map((e) => `\`${e.from} → ${e.to}\``);
    const lost = r.edges.filter((e) => e.change === 'lost').map((e) => `\`${e.from} → ${e.to}\``);
    lines.push(`**Dependencies**: ${gained.length ? `gained ${gained.join(', ')}` : 'none gained'}; ${lost.length ? `lost ${lost.join(', ')}` : 'none lost'}.\n`);
  }
  if (r.contract.length) {
    lines.push('| Contract | Field | Change | Breaking | Why |', '| --- | --- | --- | --- | --- |');
    for (const c of r.contract) lines.push(`| ${c.contract} | \`${cell(c.field || '(whole value)')}\` | ${c.change}${valueNote(c)} | ${c.breaking ? '⚠️ yes' : 'no'} | ${cell(c.reason)} |`);
    lines.push('');
  }
  if (r.impact?.length) {
    lines.push(`**Used by** ${plural(r.impact.length, 'step')}:`);
    for (const i of r.impact) {
      const affected = i.affected.length ? ` — reads changed ${i.affected.map((a) => `\`${a}\``).join(', ')}` : '';
      lines.push(`- \`${i.workflow}\` step \`${i.step}\`${i.location ? ` (\`${i.location.file}:${i.location.line}\`)` : ''}${affected}`);
    }
    lines.push('');
  }
  if (full && r.mermaid) lines.push('```mermaid', r.mermaid, '```', '');
  if (full && r.fields.length) {
    lines.push(`<details><summary>${plural(r.fields.length, 'field change')}</summary>\n`, '| Field | Before | After |', '| --- | --- | --- |');
    for (const f of r.fields) lines.push(`| \`${cell(f.path)}\` | ${valueCell(f.before)} | ${valueCell(f.after)} |`);
    lines.push('', '</details>', '');
  }
  return lines.join('\n') + '\n';
}

function fieldText(f: FieldChange, full: boolean): string {
  if (!full || f.change !== 'changed') return `${f.path} ${f.change}`;
  return `${f.path}: ${short(f.before)} → ${short(f.after)}`;
}

function valueNote(c: ContractChange): string {
  if (c.before === undefined && c.after === undefined) return '';
  return ` (${c.before !== undefined ? short(c.before) : '∅'} → ${c.after !== undefined ? short(c.after) : '∅'})`;
}

function valueCell(v: unknown): string {
  return v === undefined ? '' : `\`${cell(short(v))}\``;
}

function short(v: unknown, max = 80): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A table cell: no pipes or newlines. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/`/g, 'ʼ');
}

function inline(s: string): string {
  return s.replace(/\r?\n/g, ' ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
