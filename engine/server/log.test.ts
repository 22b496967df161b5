import { describe, expect, it, vi } from 'vitest';
import { batchedStdout, jsonLogger } from './log.js';

describe('jsonLogger', () => {
  it('writes one JSON line per entry with time and level first', () => {
    const lines: string[] = [];
    jsonLogger((l) => lines.push(l))({ msg: 'request', status: 200 });
    const entry = JSON.parse(lines[0]);
    expect(Object.keys(entry)).toEqual(['time', 'level', 'msg', 'status']);
    expect(entry).toMatchObject({ level: 'info', msg: 'request', status: 200 });
    expect(lines[0].endsWith('\n')).toBe(true);
  });
});

describe('batchedStdout', () => {
  it('writes the lines of the next 20 ms in one write', async () => {
    vi.useFakeTimers();
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const out = batchedStdout();
      out('a\n');
      await vi.advanceTimersByTimeAsync(10);
      out('b\n');
      expect(write).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(10);
      expect(write.mock.calls).toEqual([['a\nb\n']]);
      out('c\n');
      await vi.advanceTimersByTimeAsync(19);
      expect(write).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(write.mock.calls[1]).toEqual(['c\n']);
    } finally {
      write.mockRestore();
      vi.useRealTimers();
    }
  });

  it('writes at once when 64 KB wait', () => {
    vi.useFakeTimers();
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const out = batchedStdout();
      const line = `${'x'.repeat(1023)}\n`;
      for (let i = 0; i < 63; i++) out(line);
      expect(write).not.toHaveBeenCalled();
      out(line);
      expect(write).toHaveBeenCalledTimes(1);
      expect((write.mock.calls[0][0] as string).length).toBe(64 * 1024);
      vi.advanceTimersByTime(20);
      expect(write).toHaveBeenCalledTimes(1);
    } finally {
      write.mockRestore();
      vi.useRealTimers();
    }
  });
});
