/** Time as the controller sees it; tests pass a manual clock. */
export interface Clock {
  now(): number;
  /** Runs `fn` after `ms`; returns a cancel function. */
  schedule(ms: number, fn: () => void): () => void;
}

/** The process clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return () => clearTimeout(t);
  },
};

/**
 * A clock that moves only when told: `advance(ms)` runs every callback that falls due, in order.
 * @example const clock = new ManualClock(); controller.start(); await clock.advance(60_000);
 */
export class ManualClock implements Clock {
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private seq = 0;
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  schedule(ms: number, fn: () => void): () => void {
    const id = ++this.seq;
    this.timers.push({ at: this.current + ms, fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  /** Moves time forward, firing due callbacks (at most 10,000 per call). */
  advance(ms: number): void {
    const until = this.current + ms;
    for (let i = 0; i < 10_000; i++) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.current = next.at;
      next.fn();
    }
    this.current = until;
  }

  /** Number of callbacks waiting. */
  get pending(): number {
    return this.timers.length;
  }
}
