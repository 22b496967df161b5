import { describe, expect, it } from 'vitest';
import { AbortFanout } from './abort.js';

describe('AbortFanout', () => {
  it('runs each listener once, in the order they were added, and keeps none after the abort', () => {
    const handle = new AbortFanout();
    const fired: string[] = [];
    handle.on('abort', () => fired.push('a'));
    handle.on('abort', () => fired.push('b'));
    handle.on('abort', () => fired.push('c'));
    expect(handle.listenerCount('abort')).toBe(3);
    handle.abort('first');
    handle.abort('second');
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(handle).toMatchObject({ aborted: true, reason: 'first' });
    expect(handle.listenerCount('abort')).toBe(0);
  });

  it('removes the first listener and later ones alike', () => {
    const handle = new AbortFanout();
    const fired: number[] = [];
    const one = () => fired.push(1);
    const two = () => fired.push(2);
    handle.on('abort', one);
    handle.on('abort', two);
    handle.removeListener('abort', one);
    handle.removeListener('abort', two);
    expect(handle.listenerCount('abort')).toBe(0);
    handle.abort();
    expect(fired).toEqual([]);
  });

  it('calls a listener added after the abort in a microtask', async () => {
    const handle = new AbortFanout();
    handle.abort('late');
    let fired = false;
    handle.on('abort', () => (fired = true));
    expect(fired).toBe(false);
    await Promise.resolve();
    expect(fired).toBe(true);
  });

  it('gives one AbortSignal that aborts with it, with the same reason', () => {
    const handle = new AbortFanout();
    const signal = handle.signal;
    expect(handle.signal).toBe(signal);
    expect(signal.aborted).toBe(false);
    handle.abort('gone');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('gone');
  });

  it('gives an aborted AbortSignal once it has aborted', () => {
    const handle = new AbortFanout();
    handle.abort('over');
    expect(handle.signal.aborted).toBe(true);
    expect(handle.signal.reason).toBe('over');
  });

  it('lets many listeners wait on its AbortSignal without a listener-leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const signal = new AbortFanout().signal;
      for (let i = 0; i < 50; i++) signal.addEventListener('abort', () => undefined);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
