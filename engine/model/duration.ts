const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * Parses a duration (`250ms`, `5s`, `1.5m`, `2h`, `1d`, or a number of milliseconds) to milliseconds;
 * `undefined` when the text is not a duration.
 * @example parseDuration('1.5s') // 1500
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  let total = 0;
  let rest = value.trim();
  if (!rest) return undefined;
  // Compound forms such as `1m30s`.
  const part = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;
  while (rest) {
    const m = part.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** True when the text is a single-unit or compound duration. */
export function isDuration(value: unknown): boolean {
  return parseDuration(value) !== undefined;
}

/** Formats milliseconds for people: `850ms`, `1.2s`, `3m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 100) / 100}ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  return `${Math.round(ms / 6000) / 10}m`;
}

export { PATTERN as DURATION_PATTERN };
