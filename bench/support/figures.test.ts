import { describe, expect, it } from 'vitest';
import { figure, interleave, median, paired, percentile } from './figures.js';

describe('figure', () => {
  it('computes the ratio against the baseline', () => {
    const f = figure({ name: 'x', value: 900, unit: 'req/s', baseline: { name: 'hand-written', value: 1000 } });
    expect(f.ratio).toBeCloseTo(0.9, 12);
    expect(f.pass).toBeUndefined();
  });

  it('checks a ratio target against the ratio, not the value', () => {
    const target = { op: '>=', value: 0.8, of: 'ratio' } as const;
    expect(figure({ name: 'x', value: 790, unit: 'req/s', baseline: { name: 'b', value: 1000 }, target }).pass).toBe(false);
    expect(figure({ name: 'x', value: 800, unit: 'req/s', baseline: { name: 'b', value: 1000 }, target }).pass).toBe(true);
  });

  it('checks a value target against the value', () => {
    const target = { op: '<=', value: 5, of: 'value' } as const;
    expect(figure({ name: 'x', value: 5, unit: 'µs', target }).pass).toBe(true);
    expect(figure({ name: 'x', value: 5.01, unit: 'µs', target }).pass).toBe(false);
  });

  it('fails a ratio target when there is no usable baseline', () => {
    expect(figure({ name: 'x', value: 1, unit: 'req/s', baseline: { name: 'b', value: 0 }, target: { op: '>=', value: 0.8, of: 'ratio' } }).pass).toBe(false);
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
  });

  it('gives the middle value as the median of an odd list', () => {
    expect(median([5, 1, 3])).toBe(3);
  });

  it('refuses an empty list', () => {
    expect(() => percentile([], 50)).toThrow('percentile of an empty list');
  });
});

describe('interleave', () => {
  it('flips the order of baseline and subject every round', async () => {
    const order: string[] = [];
    const m = await interleave(
      3,
      async () => (order.push('b'), order.length),
      async () => (order.push('s'), order.length),
    );
    expect(order).toEqual(['b', 's', 's', 'b', 'b', 's']);
    expect(m).toEqual({ baseline: [1, 4, 5], subject: [2, 3, 6] });
  });

  it('starts with the subject when the first round number is odd', async () => {
    const order: string[] = [];
    await interleave(1, async () => order.push('b'), async () => order.push('s'), 1);
    expect(order).toEqual(['s', 'b']);
  });
});

describe('paired', () => {
  it('gives the medians, the median per-round ratio and the median per-round difference', () => {
    const p = paired({ baseline: [10, 20, 40], subject: [12, 30, 44] });
    expect(p).toEqual({ value: 30, baseline: 20, ratio: 1.2, difference: 4 });
  });

  it('refuses rounds of different lengths', () => {
    expect(() => paired({ baseline: [1], subject: [1, 2] })).toThrow('same non-zero number');
  });

  it('uses the ratio it is given instead of value / baseline', () => {
    expect(figure({ name: 'x', value: 30, unit: 'ms', baseline: { name: 'b', value: 20 }, ratio: 1.2 }).ratio).toBe(1.2);
  });
});
