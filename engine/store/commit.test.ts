import { describe, expect, it } from 'vitest';
import { GroupCommit } from './commit.js';

/** A writer whose commits finish when the test says so. */
function gatedWriter() {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const write = (batch: number[]) => {
    batches.push(batch);
    return new Promise<void>((resolve) => gates.push(resolve));
  };
  return { batches, write, open: () => gates.shift()?.() };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('writes everything submitted in one tick as one batch', async () => {
    const batches: number[][] = [];
    const queue = new GroupCommit<number>(async (b) => void batches.push(b));
    await Promise.all([1, 2, 3, 4].map((n) => queue.submit(n)));
    expect(batches).toEqual([[1, 2, 3, 4]]);
    expect(queue.stats).toMatchObject({ commits: 1, records: 4, largestBatch: 4, failedCommits: 0 });
  });

  it('resolves a submit only after its commit has finished', async () => {
    const w = gatedWriter();
    const queue = new GroupCommit<number>(w.write);
    let done = false;
    const p = queue.submit(1).then(() => (done = true));
    await tick();
    expect(w.batches).toEqual([[1]]);
    expect(done).toBe(false);
    w.open();
    await p;
    expect(done).toBe(true);
  });

  it('collects items that arrive during a commit into the next one', async () => {
    const w = gatedWriter();
    const queue = new GroupCommit<number>(w.write);
    const first = queue.submit(1);
    await tick();
    const later = [2, 3, 4].map((n) => queue.submit(n));
    await tick();
    expect(w.batches).toEqual([[1]]);
    w.open();
    await first;
    await tick();
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
    w.open();
    await Promise.all(later);
    expect(queue.stats.commits).toBe(2);
  });

  it('with maxInFlight 2 starts a second commit while the first runs, and a third only after one ends', async () => {
    const w = gatedWriter();
    const queue = new GroupCommit<number>(w.write, { maxInFlight: 2 });
    const first = queue.submit(1);
    await tick();
    const second = [2, 3].map((n) => queue.submit(n));
    await tick();
    const third = queue.submit(4);
    await tick();
    expect(w.batches).toEqual([[1], [2, 3]]);
    w.open();
    await first;
    await tick();
    expect(w.batches).toEqual([[1], [2, 3], [4]]);
    w.open();
    w.open();
    await Promise.all([...second, third]);
    expect(queue.stats.commits).toBe(3);
  });

  it('starts a commit without waiting for the tick once maxBatch items wait', async () => {
    const w = gatedWriter();
    const queue = new GroupCommit<number>(w.write, { maxBatch: 2 });
    void queue.submit(1);
    void queue.submit(2);
    expect(w.batches).toEqual([[1, 2]]);
    w.open();
  });

  it('retries a failed batch item by item so only the bad item is rejected', async () => {
    const queue = new GroupCommit<number>(async (b) => {
      if (b.includes(13)) throw new Error('bad record 13');
    });
    const outcomes = await Promise.allSettled([1, 13, 2].map((n) => queue.submit(n)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('bad record 13');
    expect(queue.stats).toMatchObject({ commits: 4, failedCommits: 2, records: 2 });
  });

  it('measures each commit with the injected clock and reports it', async () => {
    let t = 100;
    const seen: unknown[] = [];
    const queue = new GroupCommit<number>(
      async () => {
        t += 7;
      },
      { clock: () => t, onCommit: (c) => seen.push(c) },
    );
    await Promise.all([queue.submit(1), queue.submit(2)]);
    expect(seen).toEqual([{ records: 2, durationMs: 7, ok: true }]);
    expect(queue.stats).toMatchObject({ lastCommitMs: 7, totalCommitMs: 7 });
  });

  it('settled waits for everything submitted so far', async () => {
    const w = gatedWriter();
    const queue = new GroupCommit<number>(w.write);
    void queue.submit(1);
    let settled = false;
    const s = queue.settled().then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    w.open();
    await s;
    expect(settled).toBe(true);
  });

  it('close commits what waits and then rejects new items', async () => {
    const batches: number[][] = [];
    const queue = new GroupCommit<number>(async (b) => void batches.push(b));
    const p = queue.submit(1);
    await queue.close();
    await p;
    expect(batches).toEqual([[1]]);
    await expect(queue.submit(2)).rejects.toThrow('The execution store is closed');
  });
});
