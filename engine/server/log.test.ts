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

describe('jsonLogger line shapes', () => {
  const line = (entry: Parameters<ReturnType<typeof jsonLogger>>[0]) => {
    const lines: string[] = [];
    jsonLogger((l) => lines.push(l))(entry);
    expect(lines).toHaveLength(1);
    return lines[0];
  };

  it('puts time and level first whatever the order of the entry, and never repeats level', () => {
    for (const entry of [{ level: 'warn' as const, msg: 'm', a: 1 }, { msg: 'm', level: 'warn' as const, a: 1 }, { msg: 'm', a: 1, level: 'warn' as const }]) {
      const text = line(entry);
      expect(text.match(/"level"/g)).toHaveLength(1);
      const parsed = JSON.parse(text);
      expect(Object.keys(parsed)).toEqual(['time', 'level', 'msg', 'a']);
      expect(parsed).toMatchObject({ level: 'warn', msg: 'm', a: 1 });
      expect(parsed.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('writes an entry with only a level as time and level', () => {
    const parsed = JSON.parse(line({ level: 'error', msg: '' }));
    expect(parsed).toMatchObject({ level: 'error', msg: '' });
    expect(Object.keys(parsed)).toEqual(['time', 'level', 'msg']);
  });

  it('escapes what the entry holds', () => {
    const parsed = JSON.parse(line({ level: 'info', msg: 'quote " and \n newline', path: '/a"b' }));
    expect(parsed).toMatchObject({ msg: 'quote " and \n newline', path: '/a"b' });
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
