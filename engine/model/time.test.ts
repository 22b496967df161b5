import { describe, expect, it } from 'vitest';
import { isoTime } from './time.js';

describe('isoTime', () => {
  it('matches Date#toISOString across seconds, padding and fractions', () => {
    const base = Date.UTC(2026, 10, 27, 22, 15, 3);
    for (const offset of [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 59_999, 60_000, 86_399_999, 86_400_000]) {
      expect(isoTime(base + offset)).toBe(new Date(base + offset).toISOString());
    }
    expect(isoTime(base + 42.9)).toBe('2026-11-27T22:15:03.042Z');
    expect(isoTime(base + 999.999)).toBe('2026-11-27T22:15:03.999Z');
  });

  it('gives the right text when time goes back to an earlier second', () => {
    const later = Date.UTC(2030, 0, 1, 0, 0, 0, 5);
    const earlier = Date.UTC(1999, 11, 31, 23, 59, 59, 995);
    expect(isoTime(later)).toBe('2030-01-01T00:00:00.005Z');
    expect(isoTime(earlier)).toBe('1999-12-31T23:59:59.995Z');
    expect(isoTime(later)).toBe('2030-01-01T00:00:00.005Z');
  });

  it('handles times before 1970 and years beyond 9999 like Date', () => {
    const before = Date.UTC(1969, 11, 31, 23, 59, 59, 250);
    expect(isoTime(before)).toBe('1969-12-31T23:59:59.250Z');
    const far = Date.UTC(12_000, 0, 1, 0, 0, 0, 7);
    expect(isoTime(far)).toBe(new Date(far).toISOString());
    expect(isoTime(far)).toBe('+012000-01-01T00:00:00.007Z');
  });
});

describe('isoTime across a turn of the second', () => {
  it('keeps two seconds: alternating between them formats each second once', () => {
    const turn = Date.UTC(2031, 4, 6, 7, 8, 9);
    const calls = { n: 0 };
    const real = Date.prototype.toISOString;
    Date.prototype.toISOString = function (this: Date) {
      calls.n++;
      return real.call(this);
    };
    try {
      for (let i = 0; i < 10; i++) {
        expect(isoTime(turn - 1 - i)).toBe(real.call(new Date(turn - 1 - i)));
        expect(isoTime(turn + i)).toBe(real.call(new Date(turn + i)));
      }
      expect(calls.n).toBe(2);
      // A new second replaces the one filled first: the clock moves forward.
      expect(isoTime(turn + 1000)).toBe('2031-05-06T07:08:10.000Z');
      expect(isoTime(turn)).toBe('2031-05-06T07:08:09.000Z');
      expect(calls.n).toBe(3);
      expect(isoTime(turn - 1)).toBe('2031-05-06T07:08:08.999Z');
      expect(calls.n).toBe(4);
    } finally {
      Date.prototype.toISOString = real;
    }
  });
});
