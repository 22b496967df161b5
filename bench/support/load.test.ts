import { describe, expect, it } from 'vitest';
import { mergeLoads, type LoadResult } from './load.js';

function run(latencies: number[], elapsedMs: number): LoadResult {
  return { requests: latencies.length, concurrency: 32, elapsedMs, throughput: latencies.length / (elapsedMs / 1000), p50Ms: Number.NaN, p99Ms: Number.NaN, latencies: Float64Array.from(latencies) };
}

describe('mergeLoads', () => {
  it('gives the throughput over the summed time and percentiles over every request', () => {
    const merged = mergeLoads([run([1, 2, 3, 4], 100), run([10, 20], 400)]);
    expect(merged.requests).toBe(6);
    expect(merged.elapsedMs).toBe(500);
    expect(merged.throughput).toBe(12);
    expect(merged.concurrency).toBe(32);
    expect(Array.from(merged.latencies)).toEqual([1, 2, 3, 4, 10, 20]);
    expect(merged.p50Ms).toBe(3);
    expect(merged.p99Ms).toBe(20);
  });

  it('refuses an empty list', () => {
    expect(() => mergeLoads([])).toThrow('at least one run');
  });
});
