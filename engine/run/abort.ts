import { setMaxListeners } from 'node:events';

/**
 * The engine's abort handle (`aborted`, `reason`, `on`/`removeListener` of 'abort'), with O(1)
 * add and remove. A run has one (its deadline and its caller abort it; its steps and HTTP
 * attempts in flight listen), and so does a step with a timeout. An AbortController costs
 * several microseconds to make and to listen to (its signal is an EventTarget): more than a
 * step's own work. `signal` gives a real AbortSignal to code that needs one (task runners).
 */
export class AbortFanout {
  aborted = false;
  reason: unknown = undefined;
  /** The first listener; a Set is made only when a second one comes (an attempt has one). */
  private first: (() => void) | undefined = undefined;
  private more: Set<() => void> | undefined = undefined;
  private controller: AbortController | undefined = undefined;

  /** An AbortSignal that aborts with this handle, with the same reason (made on first use). */
  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = new AbortController();
      // Every call in flight (a forEach runs up to maxParallel at once) may listen on it.
      setMaxListeners(0, controller.signal);
      this.controller = controller;
      if (this.aborted) controller.abort(this.reason);
      else this.on('abort', () => controller.abort(this.reason));
    }
    return this.controller.signal;
  }

  /** Adds a listener; on a handle already aborted it runs in a microtask. */
  on(_event: 'abort', fn: () => void): this {
    if (this.aborted) queueMicrotask(fn);
    else if (this.first === undefined && !this.more?.size) this.first = fn;
    else (this.more ??= new Set()).add(fn);
    return this;
  }

  removeListener(_event: 'abort', fn: () => void): this {
    if (this.first === fn) this.first = undefined;
    else this.more?.delete(fn);
    return this;
  }

  /** How many listeners wait for the abort (calls in flight). */
  listenerCount(_event: 'abort'): number {
    return (this.first === undefined ? 0 : 1) + (this.more?.size ?? 0);
  }

  /** Aborts once: every listener runs, in the order they were added, then none is kept. */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const first = this.first;
    const more = this.more ? [...this.more] : [];
    this.first = undefined;
    this.more = undefined;
    first?.();
    for (const fn of more) fn();
  }
}
