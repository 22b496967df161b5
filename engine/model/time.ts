/**
 * ISO-8601 timestamps for traces and logs, made for the hot path: `Date#toISOString` costs about a
 * microsecond and a run writes several timestamps per step, so the text up to the seconds is
 * kept and only the milliseconds are appended. Two seconds are kept: a result written just after
 * a second turns holds timestamps of both, and with one the two would evict each other on every
 * timestamp (under load, every answer in flight at the turn did so several times).
 */
let lastSecond = Number.NaN;
let lastPrefix = '';
let previousSecond = Number.NaN;
let previousPrefix = '';

/**
 * The same text as `new Date(ms).toISOString()` (`2026-11-27T22:15:03.042Z`) for finite `ms`; a
 * fractional millisecond is truncated, as `Date` does.
 * @example isoTime(Date.UTC(2026, 10, 27, 22, 15, 3, 42.9)) // '2026-11-27T22:15:03.042Z'
 */
export function isoTime(ms: number): string {
  const whole = Math.floor(ms);
  const second = Math.floor(whole / 1000);
  let prefix: string;
  if (second === lastSecond) prefix = lastPrefix;
  else if (second === previousSecond) prefix = previousPrefix;
  else {
    const text = new Date(second * 1000).toISOString();
    // Years outside 0000–9999 take Date's six-digit form; they never come from a clock.
    if (text.length !== 24) return new Date(whole).toISOString();
    prefix = text.slice(0, 20);
    // The older of the two gives way.
    previousSecond = lastSecond;
    previousPrefix = lastPrefix;
    lastSecond = second;
    lastPrefix = prefix;
  }
  const milli = whole - second * 1000;
  return prefix + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
}
