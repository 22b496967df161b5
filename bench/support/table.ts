import type { Figure } from './figures.js';

/** A number with about four significant digits, without exponent notation. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1);
  if (a >= 10) return x.toFixed(2);
  return x.toFixed(3);
}

const HEADER = ['name', 'value', 'unit', 'baseline', 'ratio', 'target', 'pass'];
const RIGHT = new Set([1, 4]);

/**
 * The figures as a plain-text table: name, value, unit, baseline (name and value), ratio,
 * target (and which number it bounds), pass.
 */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.name,
    formatNumber(f.value),
    f.unit,
    f.baseline ? `${f.baseline.name} ${formatNumber(f.baseline.value)}` : '',
    f.ratio === undefined ? '' : f.ratio.toFixed(3),
    f.target ? `${f.target.of} ${f.target.op} ${f.target.value}` : '',
    f.pass === undefined ? '' : f.pass ? 'pass' : 'FAIL',
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (RIGHT.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(HEADER), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
