/**
 * ISO-8601 timestamps for traces and logs, made for the hot path: `Date#toISOString` costs about a
 * microsecond and a run writes several timestamps per step, so the text up to the seconds is
 * kept for the current second and only the milliseconds are appended.
 */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * The same text as `new Date(ms).toISOString()` (`2026-11-27T22:15:03.042Z`) for finite `ms`; a
 * fractional millisecond is truncated, as `Date` does.
 * @example isoTime(Date.UTC(2026, 10, 27, 22, 15, 3, 42.9)) // '2026-11-27T22:15:03.042Z'
 */
export function isoTime(ms: number): string {
  const whole = Math.floor(ms);
  const second = Math.floor(whole / 1000);
  // Years outside 0000–9999 take Date's six-digit form; they never come from a clock.
  if (second !== cachedSecond) {
    const text = new Date(second * 1000).toISOString();
    if (text.length !== 24) return new Date(whole).toISOString();
    cachedSecond = second;
    cachedPrefix = text.slice(0, 20);
  }
  const milli = whole - second * 1000;
  return cachedPrefix + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
}
