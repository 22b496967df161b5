/** What one shared commit did; the metrics room turns these into a histogram and counters. */
export interface CommitInfo {
  /** Records written by the commit. */
  records: number;
  durationMs: number;
  ok: boolean;
}

export interface CommitStats {
  commits: number;
  records: number;
  failedCommits: number;
  /** Largest number of records one commit carried. */
  largestBatch: number;
  lastCommitMs: number;
  totalCommitMs: number;
}

export interface GroupCommitOptions {
  /** A commit starts at once when this many records wait (default 256). */
  maxBatch?: number;
  /**
   * Commits that may run at once (default 1). A database that commits transactions in parallel
   * (PostgreSQL) lets the next batch start while the previous one waits for its flush.
   */
  maxInFlight?: number;
  onCommit?: (info: CommitInfo) => void;
  clock?: () => number;
}

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Writes submitted items in shared transactions. An item waits for the next tick, for
 * `maxBatch` items, or, when `maxInFlight` commits are running, for one of them to finish,
 * whichever comes first; then everything waiting is written by one call of `write`. `submit` resolves when the commit that
 * carried the item has finished. When a shared commit fails, its items are retried one by
 * one, so one bad record does not fail the others.
 * @example
 * const queue = new GroupCommit((batch) => db.transaction().execute((trx) => insertAll(trx, batch)));
 * await Promise.all(records.map((r) => queue.submit(r))); // one commit
 */
export class GroupCommit<T> {
  private waiting: Waiting<T>[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private scheduled = false;
  private closed = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly clock: () => number;
  readonly stats: CommitStats = { commits: 0, records: 0, failedCommits: 0, largestBatch: 0, lastCommitMs: 0, totalCommitMs: 0 };

  constructor(
    private readonly write: (batch: T[]) => Promise<void>,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 256);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
    this.clock = options.clock ?? (() => performance.now());
  }

  /** Queues an item; resolves once it is committed, rejects with the write's error. */
  submit(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The execution store is closed'));
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.inFlight.size >= this.maxInFlight) return;
      if (this.waiting.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          if (this.inFlight.size < this.maxInFlight) this.flush();
        });
      }
    });
  }

  /** Resolves when every item submitted before the call is committed (or failed). */
  async settled(): Promise<void> {
    while (this.inFlight.size || this.waiting.length) {
      if (this.inFlight.size < this.maxInFlight) this.flush();
      await Promise.race(this.inFlight);
    }
  }

  /** Commits what is waiting and refuses new items. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
  }

  /** Starts one commit of what waits (nothing when nothing waits). */
  private flush(): void {
    if (!this.waiting.length) return;
    const running: Promise<void> = this.run(this.waiting.splice(0, this.maxBatch)).finally(() => {
      this.inFlight.delete(running);
      if (this.waiting.length && this.inFlight.size < this.maxInFlight) this.flush();
    });
    this.inFlight.add(running);
  }

  private async run(batch: Waiting<T>[]): Promise<void> {
    const ok = await this.commit(batch.map((w) => w.item));
    if (ok === true) {
      for (const w of batch) w.resolve();
      return;
    }
    if (batch.length === 1) {
      batch[0].reject(ok.error);
      return;
    }
    for (const w of batch) {
      const single = await this.commit([w.item]);
      if (single === true) w.resolve();
      else w.reject(single.error);
    }
  }

  private async commit(items: T[]): Promise<true | { error: unknown }> {
    const started = this.clock();
    let result: true | { error: unknown } = true;
    try {
      await this.write(items);
    } catch (error) {
      result = { error };
    }
    const durationMs = this.clock() - started;
    const s = this.stats;
    s.commits++;
    s.lastCommitMs = durationMs;
    s.totalCommitMs += durationMs;
    if (result === true) {
      s.records += items.length;
      s.largestBatch = Math.max(s.largestBatch, items.length);
    } else s.failedCommits++;
    this.options.onCommit?.({ records: items.length, durationMs, ok: result === true });
    return result;
  }
}
